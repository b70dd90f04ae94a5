"""`manage.py verify_history [--region CODE]`: walk the hash-chained history; exit 1 on a break."""

from django.core.management.base import BaseCommand, CommandError

from projects.ledger import verify
from projects.models import Region


class Command(BaseCommand):
    help = (
        "核验审核留痕链：逐条重算每个审核步骤、处理决定的内容哈希和前后链接；"
        "完整时返回 0，发现在系统之外被改动、删除或写入的记录时返回 1 并指出第一处"
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="只核验该地区（地区代码，如 340603）")

    def handle(self, *args, region=None, **options):
        place = None
        if region:
            place = Region.objects.filter(code=region).first()
            if place is None:
                raise CommandError(f"找不到地区代码为 {region} 的地区。")
        verdict = verify(region=place)
        for name, count in sorted(verdict.checked.items()):
            self.stdout.write(f"  {name}：{count} 条记录")
        if verdict.intact:
            total = sum(verdict.checked.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"留痕链完整：{len(verdict.checked)} 个地区共 {total} 条记录，"
                    "内容与链接均核验一致。"
                )
            )
            return
        for broken in verdict.breaks[1:]:
            self.stderr.write(f"  另有：{broken}")
        raise CommandError(
            f"留痕链被破坏（共 {len(verdict.breaks)} 处），第一处：{verdict.breaks[0]}"
        )
