"""Render and store the documents of approved and published filings (after an upgrade, for a
restored database, or to fill the demo), or queue that for the task worker."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from projects.models import Evaluation, Region
from reports.selectors.stamp import FINAL
from reports.stored import documents

CHUNK = 50  # evaluations per queued task: a department's set is looked at once per task


class Command(BaseCommand):
    help = "生成并保存已审核通过、已公开自评的正式文件（或交给后台任务进程）。"

    def add_arguments(self, parser):
        parser.add_argument("--region", help="地区代码；不填为全部地区")
        parser.add_argument("--year", type=int, help="年度；不填为全部年度")
        parser.add_argument("--queue", action="store_true", help="交给后台任务进程生成")
        parser.add_argument(
            "--public-only", action="store_true", help="只生成公开页面的部门文件（资料汇编等）"
        )

    def handle(self, *args, **options):
        rows = Evaluation.objects.filter(status__in=FINAL)
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"未找到地区代码：{options['region']}")
            rows = rows.filter(project__unit__department__region=region)
        if options["year"]:
            rows = rows.filter(year=options["year"])
        # Ordered by department so each chunk covers few departments.
        ids = list(rows.order_by("project__unit__department", "pk").values_list("pk", flat=True))
        chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
        if options["queue"]:
            from reports.tasks import refresh_documents

            for chunk in chunks:
                refresh_documents.enqueue(chunk)
            self.stdout.write(f"已将 {len(ids)} 份自评的正式文件交给后台任务进程生成。")
            return
        started = time.perf_counter()
        rendered = 0
        for number, chunk in enumerate(chunks, start=1):
            rendered += documents.refresh(chunk, public_only=options["public_only"])
            self.stdout.write(f"{number}/{len(chunks)}：已生成 {rendered} 份文件")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"完成：{len(ids)} 份自评，生成 {rendered} 份文件，用时 {seconds:.1f} 秒。"
        )
