"""Benchmark: the review queue, the finance overview, a spot-check draw and issuing a year's tasks.

Builds a synthetic region (default 10,000 filings over 20 departments, in every status, a task
whose deadline has passed so some are overdue) in a throw-away test database, then times the
pages through Django's test client as the finance bureau and prints the median and 95th
percentile with the query count, plus one spot-check draw and one issue of the tasks for 1,000
new projects. Use PostgreSQL for production-like figures:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfeval_bench SELFEVAL_MODE=test \\
        .venv/bin/python bench/bench_review.py [--evaluations 10000] [--runs 20]
"""

import argparse
import datetime
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.harness import region_units, throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

STATUSES = ["draft", "submitted", "department_approved", "approved", "returned", "approved"]
GRADES = [("96.50", "优"), ("85.00", "良"), ("72.40", "中"), ("55.00", "差")]


def build(evaluations: int):
    """A region with 20 departments and `evaluations` filings made with bulk_create."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from projects.models import Evaluation, EvaluationTask, Membership, Project

    region, units = region_units(20)
    user = get_user_model().objects.create_user("bench_finance", password="bench-pass-1")
    Membership.objects.create(user=user, role="finance_reviewer", region=region)
    task = EvaluationTask.objects.create(
        region=region, year=2023, deadline=datetime.date.today() - datetime.timedelta(days=1)
    )
    projects = Project.objects.bulk_create(
        [
            Project(unit=units[i % 20], year=2023, code=f"P{i:05d}", name=f"项目{i}")
            for i in range(evaluations)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    rows = []
    for i, p in enumerate(projects):
        status = STATUSES[i % len(STATUSES)]
        total, grade = GRADES[i % len(GRADES)]
        rows.append(
            Evaluation(
                project=p,
                year=2023,
                task=task,
                status=status,
                result={"findings": []},
                computed_total=Decimal(total),
                claimed_total=Decimal(total) + (i % 7),
                computed_grade=grade,
                computed_execution_score=Decimal("9.00"),
                execution_rate=Decimal(40 + i % 61),
                warning_count=i % 5 == 0,
                submitted_at=None if status == "draft" else now,
                approved_at=now if status == "approved" else None,
            )
        )
    Evaluation.objects.bulk_create(rows, batch_size=5000)
    return region, user


def time_page(client, url: str, runs: int) -> str:
    """Median and p95 server time of one GET, and its query count."""
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries"


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    from django.test import Client

    from projects.models import Project, Unit
    from projects.review.services.spot_checks import spot_check_draw
    from projects.review.services.tasks import evaluation_tasks_issue

    with throwaway_database():
        started = time.perf_counter()
        region, user = build(args.evaluations)
        print(f"machine: {machine()}")
        print(f"database: {connection.vendor}")
        print(f"built {args.evaluations} filings in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        for label, url in (
            ("queue (waiting for me)", "/review/"),
            (
                "queue (all, by total, overdue only)",
                "/review/?todo=all&sort=-computed_total&overdue=1",
            ),
            ("queue (has findings, grade 优)", "/review/?todo=all&has_findings=1&grade=优"),
            ("overview", "/review/overview/?year=2023"),
        ):
            print(f"{label}: {time_page(client, url, args.runs)}")
        started = time.perf_counter()
        check = spot_check_draw(region=region, year=2023, user=user, seed=2024)
        print(
            f"spot-check draw: {check.items.count()} of "
            f"{args.evaluations // 3} approved in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        units = list(Unit.objects.filter(department__region=region))
        Project.objects.bulk_create(
            [
                Project(unit=units[i % len(units)], year=2024, code=f"N{i:05d}", name=f"新项目{i}")
                for i in range(1000)
            ]
        )
        started = time.perf_counter()
        issue = evaluation_tasks_issue(
            region=region, year=2024, deadline=datetime.date.today(), user=user
        )
        print(
            f"issue tasks: {issue.evaluations_created} filings created and scored in "
            f"{time.perf_counter() - started:.2f} s"
        )


if __name__ == "__main__":
    main()
