"""Benchmark of the reports: 自评表 PDF and HTML, a 20-project package, a 1,000-row summary workbook.

Builds a synthetic region in a throw-away test database (SQLite by default, PostgreSQL with
DATABASE_URL): one department with 20 projects × 12 indicators, scored by scoring.services, and
1,000 more evaluations for the summary. Then times, in one warm process:

- one 自评表 PDF (bar: median ≤ 0.5 s),
- the 20-project department package PDF (bar: ≤ 8 s),
- the HTML 自评表 page through the full request stack (bar: ≤ 100 ms),
- the Excel summary of 1,000 evaluations, query included (bar: ≤ 3 s),

and prints the figures with the machine they ran on.

    SELFEVAL_MODE=test .venv/bin/python bench/bench_reports.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import weasyprint  # noqa: E402
from django.db import connection  # noqa: E402

from bench.harness import Row, bulk_filings, region_units, throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

ROWS = [
    ("产出指标", "数量指标", "走访企业数量", "≥1600家", "1500家"),
    ("产出指标", "数量指标", "解决企业难题", "≥300个", "300个"),
    ("产出指标", "数量指标", "召开座谈会", "≥160个", "160个"),
    ("产出指标", "质量指标", "验收合格率", "=100%", "100%"),
    ("产出指标", "质量指标", "资金使用合规率", "≥95%", "98%"),
    ("产出指标", "时效指标", "按时完成率", "≥95%", "95%"),
    ("产出指标", "成本指标", "项目成本", "≤46万元", "38.76万元"),
    ("效益指标", "经济效益指标", "带动投资", "≥2000万元", "2300万元"),
    ("效益指标", "社会效益指标", "就业岗位", "≥600个", "600个"),
    ("效益指标", "社会效益指标", "营商环境", "有效提升", "达成"),
    ("效益指标", "可持续影响指标", "长效机制", "逐步健全", "达成"),
    ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%", "92%"),
]
# 产出 50, 效益 30, 满意度 10: the national 90.
WEIGHTS = [Decimal(w) for w in (10, 10, 5, 5, 5, 10, 5, 10, 10, 5, 5, 10)]


def build(projects: int, summary_rows: int):
    """A region with one 20-project department and `summary_rows` more evaluations, scored."""
    from scoring.services import recompute_region

    region, (package_unit, summary_unit) = region_units(2, is_department=True)
    rows = [
        Row(
            level1,
            level2,
            name,
            target,
            weight,
            actual,
            achievement="met" if actual == "达成" else "",
            deviation="受市场环境影响，部分企业未能按期走访，下一年度提前安排。" if k == 0 else "",
        )
        for k, ((level1, level2, name, target, actual), weight) in enumerate(
            zip(ROWS, WEIGHTS, strict=True)
        )
    ]
    for unit, count, code in ((package_unit, projects, "P"), (summary_unit, summary_rows, "S")):
        bulk_filings(
            [unit],
            count,
            rows=lambda i: rows,
            executed=lambda i: Decimal(1300000 + (i * 37) % 200000),
            budget=Decimal("1517571.80"),
            code=code,
            name="园区基础配套设施维修及零星工程项目",
            goal_expected="保障园区基础设施正常运行，按计划完成年度维修改造任务。",
            goal_actual="全年完成维修改造任务。",
        )
    recompute_region(region=region, year=2023)
    return region, package_unit.department


def timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run: on a shared machine the CPU time is the steadier one."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def report(label: str, runs: tuple[list[float], list[float]], bar: float) -> None:
    walls, cpus = runs
    median = statistics.median(walls)
    verdict = "ok" if median <= bar else "OVER THE BAR"
    print(
        f"{label}: median {median * 1000:.0f} ms wall ({statistics.median(cpus) * 1000:.0f} ms "
        f"CPU), min {min(walls) * 1000:.0f} ms, max {max(walls) * 1000:.0f} ms over {len(walls)} "
        f"runs (bar {bar * 1000:.0f} ms) {verdict}; load {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--summary-rows", type=int, default=1000)
    args = parser.parse_args()

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from projects.models import Evaluation
    from reports import renderers, selectors
    from reports.excel.summary import summary_workbook

    with throwaway_database():
        started = time.perf_counter()
        region, department = build(args.projects, args.summary_rows)
        print(f"machine: {machine(f'WeasyPrint {weasyprint.__version__}')}")
        print(f"database: {connection.vendor}")
        print(
            f"built {args.projects} + {args.summary_rows} scored evaluations × {len(ROWS)} "
            f"indicators in {time.perf_counter() - started:.1f} s"
        )
        everything = Evaluation.objects.all()
        first = everything.filter(project__unit__department=department).order_by("pk").first()

        def table_pdf():
            table = selectors.evaluation_table(everything, pk=first.pk)
            renderers.render_table(table, renderers.PDF)

        table_pdf()  # warm: fonts loaded, stylesheet parsed, templates compiled
        report("自评表 PDF (warm)", timed(table_pdf, args.runs), 0.5)

        def package_pdf():
            package = selectors.department_package(everything, department=department, year=2023)
            renderers.render_package(package)

        report(f"{args.projects}-project package PDF", timed(package_pdf, 3), 8.0)

        admin = get_user_model().objects.create_superuser("bench", password="bench-12345")
        client = Client()
        client.force_login(admin)
        url = reverse("reports:evaluation_table", args=[first.pk])
        assert client.get(url).status_code == 200
        report(
            "HTML 自评表 page (full request)", timed(lambda: client.get(url), args.runs * 2), 0.1
        )

        summary_scope = everything.exclude(project__unit__department=department)

        def summary_xlsx():
            rows = selectors.summary_rows(summary_scope)
            assert len(rows) == args.summary_rows
            summary_workbook(rows, heading="基准汇总", subtitle="金额单位：万元", money_unit="万元")

        report(f"Excel summary of {args.summary_rows} evaluations", timed(summary_xlsx, 3), 3.0)


if __name__ == "__main__":
    main()
