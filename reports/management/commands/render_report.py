"""Render a report from the command line: one evaluation's 自评表, or a department's package."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from projects.access import VIEW
from projects.formatting import MONEY_UNITS
from projects.models import Department, Evaluation
from reports import renderers, selectors
from reports.pdf import FontMissing


class Command(BaseCommand):
    """python manage.py render_report --evaluation ID --format pdf|xlsx|html --out FILE"""

    help = (
        "生成报告：--evaluation ID --format pdf|xlsx|html --out FILE 输出一张自评表（--report 为自评报告）；"
        "--department CODE --year Y --package --out FILE 输出部门资料汇编 PDF。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--evaluation", type=int, help="自评编号")
        parser.add_argument("--report", action="store_true", help="输出自评报告而非自评表")
        parser.add_argument("--department", help="主管部门代码")
        parser.add_argument("--region", help="地区代码（部门代码在多个地区重复时必填）")
        parser.add_argument("--year", type=int, help="年度")
        parser.add_argument("--package", action="store_true", help="输出部门资料汇编")
        parser.add_argument("--summary", action="store_true", help="输出部门项目自评汇总")
        parser.add_argument("--format", choices=renderers.FORMATS, default=renderers.PDF)
        parser.add_argument("--money-unit", choices=MONEY_UNITS, default="万元")
        parser.add_argument("--user", help="按该用户的权限生成（默认：全部数据）")
        parser.add_argument("--out", required=True, help="输出文件")

    def handle(self, *args, **options):
        """Pick the document, render it, write it."""
        evaluations = self._evaluations(options["user"])
        fmt, money_unit = options["format"], options["money_unit"]
        try:
            if options["evaluation"] is not None:
                rendered = self._evaluation(evaluations, options, fmt, money_unit)
            elif options["department"]:
                rendered = self._department(evaluations, options, fmt, money_unit)
            else:
                raise CommandError("请指定 --evaluation ID，或 --department CODE --year Y。")
        except Http404 as exc:
            raise CommandError(str(exc)) from exc
        except FontMissing as exc:
            raise CommandError(str(exc)) from exc
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(rendered.content)
        self.stdout.write(f"已生成 {out}（{len(rendered.content)} 字节）")

    def _evaluations(self, username):
        if not username:
            # An operator on the server reads everything, as in the admin or the shell.
            return Evaluation.objects.all()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        return Evaluation.objects.for_user(user, VIEW)

    def _evaluation(self, evaluations, options, fmt, money_unit):
        pk = options["evaluation"]
        if options["report"]:
            report = selectors.evaluation_report(evaluations, pk=pk, money_unit=money_unit)
            return renderers.render_report(report, fmt)
        table = selectors.evaluation_table(evaluations, pk=pk, money_unit=money_unit)
        return renderers.render_table(table, fmt)

    def _department(self, evaluations, options, fmt, money_unit):
        if options["year"] is None:
            raise CommandError("请用 --year 指定年度。")
        departments = Department.objects.filter(code=options["department"])
        if options["region"]:
            departments = departments.filter(region__code=options["region"])
        found = list(departments.select_related("region")[:2])
        if not found:
            raise CommandError(f"未找到代码为 {options['department']} 的主管部门。")
        if len(found) > 1:
            raise CommandError("多个地区有此部门代码，请用 --region 指定地区代码。")
        department, year = found[0], options["year"]
        if options["summary"]:
            summary = selectors.department_summary(
                evaluations, department=department, year=year, money_unit=money_unit
            )
            return renderers.render_summary(summary, fmt)
        if options["package"]:
            package = selectors.department_package(
                evaluations, department=department, year=year, money_unit=money_unit
            )
            if not package.tables:
                raise CommandError("该部门该年度没有自评。")
            return renderers.render_package(package, fmt)
        report = selectors.department_report(
            evaluations, department=department, year=year, money_unit=money_unit
        )
        return renderers.render_report(report, fmt)
