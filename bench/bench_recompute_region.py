"""Benchmark: recompute and store a whole region's evaluations through scoring.services.

Builds a synthetic region (default 10,000 evaluations × 20 indicators) in the configured database
(use PostgreSQL: DATABASE_URL=postgres://...; the database is created and dropped by the test
runner machinery), then times `recompute_region` in three phases and counts its statements on
every connection:

1. first scoring: nothing stored yet, every result and indicator score is written;
2. rule-set change: the region moves to another rule set, so scores move;
3. nightly recompute: nothing changed since.

Each phase runs `--repeats` times (3 by default); before each repeat the stored results are
cleared and the tables vacuumed, so every first scoring starts from the same state. Each phase's
best time is printed with the machine and its load.

At commit 0f3e1bf the recompute still had a second path on PostgreSQL, two background connections
reading ahead and writing behind while the engine scored; this benchmark compared the two there
(`--mode both`) and found no gain beyond the spread between repeats (see `scoring.recompute`),
so the recompute now has the one path measured here.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfeval_bench SELFEVAL_MODE=test \
        .venv/bin/python bench/bench_recompute_region.py [--evaluations 10000] [--indicators 20] \
        [--repeats 3]
"""

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from bench.harness import Row, bulk_filings, region_units, throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

STATEMENTS = [0]


def _count(execute, sql, params, many, context):
    STATEMENTS[0] += 1
    return execute(sql, params, many, context)


def _count_on(sender, connection, **kwargs):
    # Every connection, including the recompute's background ones, counts into STATEMENTS.
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
    """A region of 20 departments and `evaluations` filings, none of them scored yet."""
    region, units = region_units(20)
    weight = Decimal(90) / indicators

    def rows(i: int) -> list[Row]:
        table = []
        for k in range(indicators):
            level1, level2, target, actual = TARGETS[(i + k) % len(TARGETS)]
            n = i * indicators + k
            table.append(
                Row(
                    level1,
                    level2,
                    f"指标{k}",
                    target.format(n=100 + k, m=200 + k),
                    weight,
                    actual.format(a=90 + n % 30, p=85 + n % 15),
                    deviation="受客观因素影响" if n % 3 == 0 else "",
                )
            )
        return table

    bulk_filings(
        units,
        evaluations,
        rows=rows,
        executed=lambda i: Decimal(800000 + (i * 37) % 250000),
        budget=Decimal("1000000"),
    )
    return region


def clear() -> None:
    """Forget every stored result and indicator score, as `build` left them, and vacuum."""
    from projects.models import Evaluation, IndicatorResult

    Evaluation.objects.update(result=None, input_snapshot=None, input_digest="", scored_at=None)
    IndicatorResult.objects.update(computed_score=None, status="")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The cleared rows' old versions would otherwise weigh on the next repeat only.
            cursor.execute("VACUUM ANALYZE projects_evaluation, projects_indicatorresult")


def run(region) -> dict[str, tuple[float, float, int, int]]:
    """The three phases: {phase: (seconds, CPU seconds, evaluations, statements)}."""
    from scoring.services import recompute_region

    rule_set = region.rule_set_id
    figures = {}
    try:
        for label in PHASES:
            if label == "rule-set change":
                region.rule_set_id = "execution-caps-over-deduction"
                region.save(update_fields=["rule_set_id"])
            STATEMENTS[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            count = recompute_region(region=region, year=2023)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            figures[label] = (elapsed, cpu, count, STATEMENTS[0])
    finally:
        region.rule_set_id = rule_set
        region.save(update_fields=["rule_set_id"])
    return figures


PHASES = ("first scoring", "rule-set change", "nightly recompute")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with throwaway_database():
        started = time.perf_counter()
        region = build(args.evaluations, args.indicators)
        built = time.perf_counter() - started
        print(f"machine: {machine()}")
        print(f"database: {connection.vendor}")
        print(
            f"built {args.evaluations} evaluations × {args.indicators} indicators in {built:.1f} s"
        )
        if _count not in connection.execute_wrappers:
            connection.execute_wrappers.append(_count)
        best: dict[str, tuple] = {}
        for repeat in range(1, args.repeats + 1):
            clear()
            figures = run(region)
            print(
                f"run {repeat} (load {os.getloadavg()[0]:.2f}): "
                + ", ".join(f"{label} {f[0]:.2f} s" for label, f in figures.items())
            )
            for label, f in figures.items():
                if label not in best or f[0] < best[label][0]:
                    best[label] = f
        print(f"best of {args.repeats}:")
        for label, (elapsed, cpu, count, statements) in best.items():
            print(
                f"  {label}: {count} evaluations stored in {elapsed:.2f} s "
                f"({count / elapsed:,.0f}/s, {cpu:.2f} s CPU); "
                f"{statements} statements ({statements / max(count, 1):.4f} per evaluation) "
                "plus one COPY per table and chunk"
            )
        print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
