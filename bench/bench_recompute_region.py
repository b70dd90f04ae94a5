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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    args = parser.parse_args()

    from scoring.services import recompute_region

    with throwaway_database():
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


if __name__ == "__main__":
    main()
