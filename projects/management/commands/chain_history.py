"""`manage.py chain_history`: chain the steps and decisions that have no history entry yet."""

from django.core.management.base import BaseCommand
from django.db import transaction

from projects.ledger import backfill


class Command(BaseCommand):
    help = (
        "将尚未登记入审核留痕链的审核步骤和处理决定按时间顺序补登（例如批量导入写入的记录）；"
        "补登只能证明此后未被改动，请先运行 verify_history 确认没有其他问题"
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = backfill()
        self.stdout.write(f"已补登 {count} 条记录。")
