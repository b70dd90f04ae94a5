"""`manage.py import_selfeval FILE...`: load selfeval/1 documents, one transaction per file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects.importer import ImportFailed, import_file


class Command(BaseCommand):
    help = "导入 selfeval/1 格式的自评文件（每个文件一个事务，出错的文件不做任何修改）"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="selfeval/1 JSON 文件")

    def handle(self, *args, files, **options):
        failures = []
        for path in files:
            try:
                evaluation = import_file(path)
            except ImportFailed as exc:
                failures.append(str(exc))
                self.stderr.write(str(exc))
                continue
            self.stdout.write(f"已导入 {path}：{evaluation.project.name}（{evaluation.year}年度）")
        if failures:
            raise CommandError(f"{len(failures)} 个文件导入失败，这些文件未做任何修改。")
