"""`manage.py export_selfeval --year Y [--unit CODE] --out DIR`: one document per evaluation."""

import json
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.exporter import export_document
from projects.models import Evaluation
from projects.upload.document import versioned_name


class Command(BaseCommand):
    help = "将某年度的绩效自评导出为 selfeval/1 JSON 文件（每个自评一个文件）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="评价年度")
        parser.add_argument("--unit", help="只导出该单位代码的自评")
        parser.add_argument("--out", type=Path, required=True, help="输出目录")

    def handle(self, *args, year, unit, out, **options):
        evaluations = (
            Evaluation.objects.filter(year=year)
            .select_related("project__unit__department__region")
            .prefetch_related("project__fund_lines", "project__indicators", "results")
        )
        if unit:
            evaluations = evaluations.filter(project__unit__code=unit)
        if not evaluations.exists():
            raise CommandError(
                f"{year}年度没有可导出的自评" + (f"（单位代码 {unit}）" if unit else "")
            )
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for evaluation in evaluations:
            project = evaluation.project
            # The version in the name lets an upload of the file merge from it (upload.document).
            name = versioned_name(
                _safe(f"{project.unit.code}-{project.code}-{year}"), evaluation.version
            )
            document = export_document(evaluation)
            (out / name).write_text(
                json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            count += 1
        self.stdout.write(f"已导出 {count} 个文件到 {out}")


def _safe(name: str) -> str:
    """File names from codes: keep letters, digits, dash and underscore."""
    return re.sub(r"[^\w\-]+", "_", name)
