"""`manage.py recompute_scores --region CODE --year Y [--rules ID]`: re-score a region's year.

Run after the region's rule set changes (`--rules` sets it first) or after an engine upgrade.
Approved and published filings keep the result they were approved with.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from projects.models import Region
from scoring.engine.rules import latest_rulesets
from scoring.services import recompute_region


class Command(BaseCommand):
    help = "重新计算某地区某年度全部未审定自评的得分（规则集变更后使用）"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地区代码")
        parser.add_argument("--year", type=int, required=True, help="评价年度")
        parser.add_argument("--rules", help="先将该地区的规则集改为此规则集（如 national-2020）")

    def handle(self, *args, region, year, rules, **options):
        try:
            subject = Region.objects.get(code=region)
        except Region.DoesNotExist:
            raise CommandError(f"没有地区代码为 {region} 的地区") from None
        if rules:
            published = latest_rulesets()
            if rules not in published:
                raise CommandError(
                    f"--rules {rules} 不是已发布的规则集标识（可选：{'、'.join(published)}）；"
                    "不能是文件路径或带版本号的标识"
                )
            subject.rule_set_id = rules
            subject.save(update_fields=["rule_set_id"])
        started = time.perf_counter()
        count = recompute_region(region=subject, year=year)
        self.stdout.write(
            f"{subject.name}{year}年度：已重新评分 {count} 个自评，"
            f"用时 {time.perf_counter() - started:.1f} 秒（已审定和已公开的自评保持不变）"
        )
