"""Benchmark: recompute and store a whole region's evaluations through scoring.services.

Builds a synthetic region (default 10,000 evaluations × 20 indicators) in the configured database
(use PostgreSQL: DATABASE_URL=postgres://...; the database is created and dropped by the test
runner machinery), then times `recompute_region` three times and counts its statements on every
connection (the recompute reads and writes on a second one):

1. first scoring: nothing stored yet, every result and indicator score is written;
2. rule-set change: the region moves to another rule set, so scores move;
3. nightly recompute: nothing changed since.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfeval_bench SELFEVAL_MODE=test \
        .venv/bin/python bench/bench_recompute_region.py [--evaluations 10000] [--indicators 20]
"""

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfeval.settings")
os.environ.setdefault("SELFEVAL_MODE", "test")

import django  # noqa: E402

from bench.machine import machine  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

STATEMENTS = [0]


def _count(execute, sql, params, many, context):
    STATEMENTS[0] += 1
    return execute(sql, params, many, context)


def _count_on(sender, connection, **kwargs):
    # Every connection, including the recompute's background one, counts into STATEMENTS.
    if _count not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count)


connection_created.connect(_count_on)

TARGETS = [
    ("产出指标", "数量指标", "≥{n}个", "{a}个"),
    ("产出指标", "质量指标", "≥95%", "{p}%"),
    ("产出指标", "时效指标", "2023年12月", "2023年11月"),
    ("产出指标", "成本指标", "≤{n}万元", "{a}万元"),
    ("效益指标", "社会效益指标", "有效提升", "有效提升"),
    ("效益指标", "经济效益指标", "{n}-{m}家", "{a}家"),
    ("满意度指标", "服务对象满意度指标", "≥90%", "{p}%"),
]


def build(evaluations: int, indicators: int):
    from projects.models import (
        Department,
        Evaluation,
        FundLine,
        Indicator,
        IndicatorResult,
        Project,
        Region,
        Unit,
    )

    region = Region.objects.create(name="基准测试区", code="BENCH")
    units = []
    for d in range(20):
        department = Department.objects.create(region=region, name=f"部门{d}", code=f"D{d}")
        units.append(Unit.objects.create(department=department, name=f"单位{d}", code=f"U{d}"))
    projects = Project.objects.bulk_create(
        [
            Project(unit=units[i % 20], year=2023, code=f"P{i:05d}", name=f"项目{i}")
            for i in range(evaluations)
        ],
        batch_size=2000,
    )
    FundLine.objects.bulk_create(
        [
            FundLine(
                project=p,
                source=source,
                initial=Decimal("1000000"),
                adjusted=Decimal("1000000"),
                executed=Decimal(800000 + (i * 37) % 250000),
                weight=Decimal(10) if source == "total" else None,
            )
            for i, p in enumerate(projects)
            for source in ("total", "current_year")
        ],
        batch_size=5000,
    )
    weight = Decimal(90) / indicators
    rows = []
    for i, p in enumerate(projects):
        for k in range(indicators):
            level1, level2, target, _ = TARGETS[(i + k) % len(TARGETS)]
            rows.append(
                Indicator(
                    project=p,
                    order=k,
                    level1=level1,
                    level2=level2,
                    name=f"指标{k}",
                    target=target.format(n=100 + k, m=200 + k),
                    weight=weight,
                )
            )
    created = Indicator.objects.bulk_create(rows, batch_size=5000)
    evaluations_ = Evaluation.objects.bulk_create(
        [Evaluation(project=p, year=2023) for p in projects], batch_size=5000
    )
    by_project = {e.project_id: e for e in evaluations_}
    results = []
    for n, indicator in enumerate(created):
        _, _, _, actual = TARGETS[(n // indicators + indicator.order) % len(TARGETS)]
        results.append(
            IndicatorResult(
                evaluation=by_project[indicator.project_id],
                indicator=indicator,
                actual=actual.format(a=90 + n % 30, p=85 + n % 15),
                deviation_reason="受客观因素影响" if n % 3 == 0 else "",
            )
        )
    IndicatorResult.objects.bulk_create(results, batch_size=5000)
    return region


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    args = parser.parse_args()

    from django.test.utils import get_runner

    from scoring.services import recompute_region

    setup_test_environment()
    runner = get_runner(django.conf.settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        started = time.perf_counter()
        region = build(args.evaluations, args.indicators)
        built = time.perf_counter() - started
        print(f"machine: {machine()}")
        print(f"database: {connection.vendor}")
        print(
            f"built {args.evaluations} evaluations × {args.indicators} indicators in {built:.1f} s"
        )
        connection.execute_wrappers.append(_count)
        for label in ("first scoring", "rule-set change", "nightly recompute"):
            if label == "rule-set change":
                region.rule_set_id = "execution-caps-over-deduction"
                region.save(update_fields=["rule_set_id"])
            STATEMENTS[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            count = recompute_region(region=region, year=2023)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"{label}: {count} evaluations stored in {elapsed:.2f} s "
                f"({count / elapsed:,.0f}/s, {cpu:.2f} s CPU in this process); "
                f"{STATEMENTS[0]} statements ({STATEMENTS[0] / max(count, 1):.4f} per evaluation) "
                "plus one COPY per table and chunk"
            )
    finally:
        runner.teardown_databases(old)


if __name__ == "__main__":
    main()
