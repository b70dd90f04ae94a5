"""Benchmark of 结果应用 (decisions, 整改, the scorecard) at city scale.

On a throw-away database it builds a city with bench/city.py's organisation and people (55
departments, 300 units by default) and `--evaluations` approved project evaluations with distinct
fund lines, execution, totals and grades (优良中差, bench/harness.finished_results); three years
of department spot-check draws through `spot_check_draw(scope="departments", history="exclude")`
with review totals for part of the latest draw; a filed mid-year monitoring round with red lights
for one subject in six (bulk rows: the round's own cost is bench/bench_monitoring.py's); half the
evaluations decided through `result_decision_record`; `--rectifications` 整改 items raised through
`rectification_raise`. Then it measures, and prints with the machine and its load:

1. `scoring.results.suggestions_for` over every evaluation: first call in the process (cold
   rule-set caches) and warm, seconds and queries;
2. the decision list `/results/decisions/?year=Y` with 1 and `--clients` concurrent clients (the
   first request of each page is printed apart as the cold one), and its Excel export;
3. `result_decision_adopt` over the undecided half: seconds, per row, queries;
4. the scorecard `/results/scorecard/?year=Y` and its Excel, the 整改 list `/results/rectifications/`.

Pages go through Django's test client in threads, as bench/bench_monitoring.py does (SQLite is a
throw-away file so the threads share it); PostgreSQL when DATABASE_URL points to it:

    SELFEVAL_MODE=test .venv/bin/python bench/bench_results.py [--evaluations 2000] \\
        [--departments 55] [--units 300] [--rectifications 300] [--clients 8] [--requests 12] \\
        [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_results ... (same)
"""

from __future__ import annotations

import argparse
import datetime
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_monitoring import (  # noqa: E402
    QueryCount,
    concurrent_gets,
    load,
    page_rows,
    percentile,
    print_table,
)
from bench.harness import bulk_filings, finished_results, throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

YEAR = 2023  # bulk_filings writes subjects of 2023
DRAW_YEARS = (2021, 2022, 2023)
INDICATORS = 8


# --- the city ------------------------------------------------------------------------------------


def build_city(args) -> tuple:
    """Organisation, people, finished evaluations, draws, review totals and a monitoring round;
    returns (region, finance user, evaluations, build figures)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.city import indicator_rows, organisation, people
    from projects.models import Evaluation

    figures = []
    started = time.perf_counter()
    region, depts, units = organisation(args.departments, args.units)
    people(region, depts, units)
    evaluations = bulk_filings(
        units,
        args.evaluations,
        rows=lambda i: indicator_rows(i, INDICATORS, YEAR),
        executed=lambda i: Decimal(0),
        budget=Decimal(0),
        code="R",
        name="结果应用项目",
    )
    approved_at = timezone.make_aware(datetime.datetime(YEAR + 1, 4, 20, 10))
    finished_results(evaluations, approved_at=approved_at)
    for year in DRAW_YEARS[:-1]:  # earlier years, a fifth of the size, for the draws' history
        history(units, year, max(1, args.evaluations // 5))
    grades = Counter(
        Evaluation.objects.filter(year=YEAR).values_list("computed_grade", flat=True).order_by()
    )
    figures.append(("evaluations", f"{args.evaluations:,} approved, grades {dict(grades)}"))
    figures.append(
        (
            "earlier years",
            f"{', '.join(map(str, DRAW_YEARS[:-1]))}: "
            f"{max(1, args.evaluations // 5):,} published evaluations each",
        )
    )
    figures.append(("filings built in", f"{time.perf_counter() - started:.1f} s"))
    finance = get_user_model().objects.get(username="city_finance1")
    figures += draws(region, finance)
    figures += monitoring(region, finance)
    return region, finance, figures


def history(units, year: int, count: int) -> None:
    """`count` finished evaluations of an earlier `year` (bulk_filings writes 2023's)."""
    from django.utils import timezone

    from bench.city import indicator_rows
    from projects.models import Evaluation, Project

    evaluations = bulk_filings(
        units,
        count,
        rows=lambda i: indicator_rows(i + year, INDICATORS, year),
        executed=lambda i: Decimal(0),
        budget=Decimal(0),
        code=f"H{year}-",
        name=f"{year}年项目",
    )
    ids = [e.project_id for e in evaluations]
    Project.objects.filter(pk__in=ids).update(year=year)
    Evaluation.objects.filter(project_id__in=ids).update(year=year)
    approved_at = timezone.make_aware(datetime.datetime(year + 1, 4, 20, 10))
    finished_results(evaluations, approved_at=approved_at, status="published")


def draws(region, finance) -> list[tuple[str, str]]:
    """Department draws of three years, history excluded, and review totals for part of the last."""
    from projects.models import SpotCheckItem
    from projects.review.services.spot_checks import spot_check_draw

    rows = []
    for year in DRAW_YEARS:
        started = time.perf_counter()
        check = spot_check_draw(
            region=region,
            year=year,
            user=finance,
            seed=year,
            scope="departments",
            history="exclude",
        )
        rows.append(
            (
                f"draw {year}",
                f"{check.departments.count()} departments, {check.items.count()} filings, "
                f"{time.perf_counter() - started:.2f} s",
            )
        )
    items = list(
        SpotCheckItem.objects.filter(spot_check=check).select_related("evaluation").order_by("pk")
    )
    reviewed = items[: len(items) * 2 // 3]
    for n, item in enumerate(reviewed):  # within 1 point, or 6–15 points below the self-score
        off = Decimal(n % 100) / 100 if n % 3 else Decimal(6 + n % 10) + Decimal(n % 7) / 10
        item.review_total = max(item.evaluation.computed_total - off, Decimal(0))
        item.reviewed_at, item.reviewer = check.drawn_at, finance
    SpotCheckItem.objects.bulk_update(reviewed, ["review_total", "reviewed_at", "reviewer"])
    rows.append(("review totals", f"{len(reviewed)} of the {YEAR} draw's {len(items)} filings"))
    return rows


def monitoring(region, finance) -> list[tuple[str, str]]:
    """A filed mid-year round, bulk written: red lights for one subject in six."""
    from projects.models import MonitoringReport, MonitoringRound, Project

    rnd = MonitoringRound.objects.create(
        region=region,
        year=YEAR,
        as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 7, 15),
        issued_by=finance,
    )
    projects = Project.objects.filter(unit__department__region=region, year=YEAR).order_by("pk")
    reports = []
    for n, pid in enumerate(projects.values_list("pk", flat=True)):
        red = (1 + n % 3) if n % 6 == 0 else 0
        yellow = 1 if n % 4 == 1 else 0
        reports.append(
            MonitoringReport(
                round=rnd,
                project_id=pid,
                status="submitted",
                red_count=red,
                yellow_count=yellow,
                light="red" if red else "yellow" if yellow else "green",
                time_progress=Decimal(50),
                execution_rate=Decimal(30 + n % 40),
            )
        )
    MonitoringReport.objects.bulk_create(reports, batch_size=2000)
    reds = sum(1 for r in reports if r.red_count)
    return [("monitoring round", f"{len(reports):,} filed reports (bulk), {reds} with red lights")]


# --- 1. suggestions ------------------------------------------------------------------------------


def bench_suggestions(region) -> list[tuple[str, str]]:
    """`suggestions_for` over every evaluation: the first call of the process, then warm."""
    from projects.models import Evaluation
    from scoring.results import suggestions_for

    rows = []
    for label in ("cold (first call in process)", "warm"):
        evaluations = list(
            Evaluation.objects.filter(project__unit__department__region=region, year=YEAR)
            .select_related("project__unit__department__region")
            .order_by("pk")
        )
        with QueryCount() as ctx:
            started = time.perf_counter()
            records = suggestions_for(evaluations)
            elapsed = time.perf_counter() - started
        mix = Counter(r.suggestion.decision for r in records.values())
        rows.append(
            (
                f"suggestions_for, {label}",
                f"{len(records):,} evaluations in {elapsed:.2f} s "
                f"({elapsed / len(records) * 1000:.2f} ms each), {ctx.n} queries",
            )
        )
    rows.append(("suggested", ", ".join(f"{k} {v}" for k, v in sorted(mix.items()))))
    return rows


# --- decisions and 整改, through the services ----------------------------------------------------


def decide_half(region, finance) -> list[tuple[str, str]]:
    """Every other evaluation decided through `result_decision_record`: the suggestion mostly,
    a cut of its own share one time in five, a 保持 against the rules one time in seven."""
    from projects.models import Evaluation
    from projects.results.decision_services import ADOPTED_NOTE, result_decision_record
    from scoring.results import suggestions_for

    evaluations = list(
        Evaluation.objects.filter(project__unit__department__region=region, year=YEAR)
        .select_related("project__unit__department__region")
        .order_by("pk")
    )[::2]
    suggestions = suggestions_for(evaluations)
    times, queries = [], []
    for n, e in enumerate(evaluations):
        s = suggestions[e.pk]
        values = {
            "decision": s.suggestion.decision,
            "next_year_amount": s.suggestion.amount,
            "cut_share": s.suggestion.cut_share,
            "note": ADOPTED_NOTE,
        }
        if n % 5 == 0 and s.facts.base_amount > 0:
            share = Decimal(5 + n % 30) + Decimal(n % 100) / 100
            values = {"decision": "cut", "next_year_amount": None, "cut_share": share}
            values["note"] = f"压减 {share}%：支出结构调整（第{n}项）"
        elif n % 7 == 0:
            values = {"decision": "keep", "next_year_amount": None, "cut_share": None}
            values["note"] = f"保持：项目为民生刚性支出（第{n}项）"
        with QueryCount() as ctx:
            started = time.perf_counter()
            result_decision_record(evaluation=e, user=finance, suggestion=s, **values)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(ctx.n)
    return [
        (
            "decisions recorded",
            f"{len(times):,} one by one: p50 {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms, {max(queries)} queries each",
        )
    ]


def rectifications(region, finance, count: int) -> list[tuple[str, str]]:
    """`count` 整改 items raised through the service (with notices), some reported and closed."""
    from django.utils import timezone

    from projects.models import Evaluation, Membership
    from projects.models.results import RectificationSource
    from projects.rectifications import services

    sources = [s for s in RectificationSource.values if s not in ("red_light", "return")]
    evaluations = list(
        Evaluation.objects.filter(project__unit__department__region=region, year=YEAR)
        .select_related("project__unit__department")
        .order_by("pk")[: count * 5 : 5]
    )
    filers = {
        m.unit_id: m.user for m in Membership.objects.filter(role="filer").select_related("user")
    }
    today = timezone.localdate()
    times = []
    reported = closed = 0
    for n, e in enumerate(evaluations):
        started = time.perf_counter()
        item = services.rectification_raise(
            user=finance,
            unit=e.project.unit,
            year=YEAR,
            source=sources[n % len(sources)],
            problem=f"第{n + 1}项：{e.project.name}部分指标偏差原因分析不充分，请补充整改措施。",
            deadline=today + datetime.timedelta(days=10 + n % 80),
            evaluation=e,
            source_ref=f"bench:{n}",
        )
        times.append((time.perf_counter() - started) * 1000)
        if n % 3 and e.project.unit_id in filers:
            services.rectification_report(
                item=item,
                user=filers[e.project.unit_id],
                measures=f"已修订绩效目标并补充佐证（第{n + 1}项）",
                evidence=f"整改报告{n + 1}号",
                text="已完成整改。",
            )
            reported += 1
            if n % 3 == 2:
                services.rectification_close(item=item, user=finance, comment="同意销号。")
                closed += 1
    return [
        (
            "整改 items",
            f"{len(times)} raised via rectification_raise (p50 {statistics.median(times):.1f} ms, "
            f"p95 {percentile(times, 95):.1f} ms), {reported} reported, {closed} closed",
        )
    ]


# --- 3. bulk adoption ----------------------------------------------------------------------------


def bench_adopt(region, finance) -> list[tuple[str, str]]:
    """`result_decision_adopt` over the evaluations still undecided, in one call."""
    from projects.models import Evaluation
    from projects.results.decision_services import result_decision_adopt

    pending = list(
        Evaluation.objects.filter(
            project__unit__department__region=region, year=YEAR, decision__isnull=True
        ).order_by("pk")
    )
    with QueryCount() as ctx:
        started = time.perf_counter()
        records = result_decision_adopt(evaluations=pending, user=finance)
        elapsed = time.perf_counter() - started
    n = max(len(records), 1)
    return [
        (
            "result_decision_adopt",
            f"{len(records):,} rows in {elapsed:.2f} s ({elapsed / n * 1000:.1f} ms per row), "
            f"{ctx.n:,} queries ({ctx.n / n:.1f} per row)",
        )
    ]


# --- the pages -----------------------------------------------------------------------------------


def pages_of(year: int) -> dict[str, list[tuple[str, str]]]:
    return {
        "decisions": [
            (f"/results/decisions/?year={year}", "decision list"),
            (f"/results/decisions/?year={year}&page=5", "decision list, page 5"),
        ],
        "decisions.xlsx": [(f"/results/decisions.xlsx?year={year}", "decision Excel")],
        "scorecard": [
            (f"/results/scorecard/?year={year}", "scorecard"),
            (f"/results/scorecard/xlsx/?year={year}", "scorecard Excel"),
        ],
        "rectifications": [
            ("/results/rectifications/", "整改 list"),
            ("/results/rectifications/?page=2", "整改 list, page 2"),
        ],
    }


def bench_pages(user, pages, clients: int, requests: int) -> list[tuple[str, str]]:
    """The pages as the finance bureau, `clients` threads at once; the first request of each page
    in the process is timed apart as the cold one."""
    from django.test import Client

    logging.disable(logging.INFO)
    rows = []
    warm = Client()
    warm.force_login(user)
    for url, label in pages:
        if label in COLD:
            continue
        with QueryCount() as ctx:
            started = time.perf_counter()
            response = warm.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        COLD[label] = elapsed
        rows.append(
            (
                f"  {label}, cold",
                f"{elapsed:.0f} ms, {ctx.n} queries, {len(response.content):,} bytes",
            )
        )
    results, query_counts, errors, elapsed = concurrent_gets(user, pages, clients, requests)
    total = sum(len(v) for v in results.values())
    rows.append(
        (f"  {clients} client(s)", f"{requests} requests each, {total / elapsed:.1f} requests/s")
    )
    rows += page_rows(pages, results, query_counts)
    if errors:
        rows.append(("  errors", f"{len(errors)}: {errors[:3]}"))
    rows.append(("  load", load()))
    return rows


COLD: dict[str, float] = {}


def profile_pages(user, urls: list[str]) -> None:
    """A cProfile of one warm request of each page and its slowest queries (`--profile`)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(user)
    for url in urls:
        timed = []

        def record(execute, sql, params, many, context, timed=timed):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed.append((time.perf_counter() - started, sql, params))

        with connection.execute_wrapper(record):
            client.get(url)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        print(f"\n-- profile of {url}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print(f"-- its queries: {sum(t for t, *_ in timed):.3f} s in {len(timed)}; the slowest:")
        t, sql, params = max(timed, key=lambda q: q[0])
        print(f"   {t * 1000:8.1f} ms  {sql[-1200:]}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + sql, params)
                for (line,) in cursor.fetchall():
                    print(f"      {line}")


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=55)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--rectifications", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=12, help="requests per client")
    parser.add_argument("--profile", action="store_true", help="cProfile the decision list")
    args = parser.parse_args()

    from django.conf import settings
    from django.db import connection

    print(f"machine: {machine()}")
    if connection.vendor == "sqlite":
        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = str(Path(tempfile.mkdtemp()) / "bench_results.sqlite3")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    vendor = connection.vendor
    with throwaway_database(instrumented=False):
        started = time.perf_counter()
        region, finance, figures = build_city(args)
        if connection.vendor == "postgresql":  # as bench/city.py: measured analysed
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        figures.append(("city built in", f"{time.perf_counter() - started:.1f} s (load {load()})"))
        print_table(f"city on {vendor}", figures)
        print_table(f"1. suggestions ({vendor})", bench_suggestions(region))
        started = time.perf_counter()
        built = decide_half(region, finance)
        built += rectifications(region, finance, args.rectifications)
        built.append(("built in", f"{time.perf_counter() - started:.1f} s (load {load()})"))
        print_table(f"decisions and 整改 through the services ({vendor})", built)
        pages = pages_of(YEAR)
        if args.profile:
            profile_pages(finance, [pages["decisions"][0][0], pages["decisions.xlsx"][0][0]])
        for clients in sorted({1, args.clients}):
            print_table(
                f"2. decision list, half decided, {clients} at once ({vendor})",
                bench_pages(finance, pages["decisions"], clients, args.requests),
            )
        print_table(
            f"2. decision Excel ({vendor})",
            bench_pages(finance, pages["decisions.xlsx"], 1, 5),
        )
        print_table(f"3. bulk adoption ({vendor})", bench_adopt(region, finance))
        for clients in sorted({1, args.clients}):
            print_table(
                f"4. scorecard and 整改 list, {clients} at once ({vendor})",
                bench_pages(
                    finance, pages["scorecard"] + pages["rectifications"], clients, args.requests
                ),
            )
        print_table(
            f"4. decision list, all decided, {args.clients} at once ({vendor})",
            bench_pages(finance, pages["decisions"], args.clients, args.requests),
        )
    print(f"\nmachine after: {machine()}")


if __name__ == "__main__":
    main()
