"""`manage.py rollover_year --region CODE --from YEAR --to YEAR`: the year rollover."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from projects.models import Region
from projects.targets.rollover import year_rollover


class Command(BaseCommand):
    help = "将某地区上一年度的持续性项目结转为下一年度的绩效目标申报草稿（重复执行不会重复创建）"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="地区代码，如 340603")
        parser.add_argument("--from", dest="from_year", type=int, required=True, help="起始年度")
        parser.add_argument("--to", dest="to_year", type=int, required=True, help="结转到的年度")

    def handle(self, *args, region, from_year, to_year, **options):
        try:
            place = Region.objects.get(code=region)
        except Region.DoesNotExist as exc:
            raise CommandError(f"找不到地区代码为 {region} 的地区。") from exc
        try:
            done = year_rollover(region=place, from_year=from_year, to_year=to_year)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(
            f"{place.name}：{from_year} → {to_year} 年度，新建 {len(done.created)} 个项目"
            f"（{done.indicators} 项指标），已存在 {len(done.existing)} 个，"
            f"已到期未结转 {len(done.ended)} 个。"
        )
        for _old, new in done.created:
            self.stdout.write(
                f"  新建  {new.unit.name} · {new.name}（{new.indicators.count()} 项指标）"
            )
        for _old, new in done.existing:
            self.stdout.write(f"  已存在 {new.unit.name} · {new.name}")
        for old in done.ended:
            self.stdout.write(f"  已到期 {old.unit.name} · {old.name}（截止 {old.end_year} 年度）")
