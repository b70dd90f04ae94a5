"""Benchmark of 绩效运行监控 at city scale: the lights engine, issuing a round, saves and pages.

On distinct data (no repeated rows; every report's figures differ) it measures, and prints with
the machine and its load:

1. the pure engine `scoring.engine.monitoring.monitor`: reports per second over `--inputs`
   distinct inputs of 6–10 rows (varied targets, values to date, units and as-of dates), each run
   from cold caches as bench/bench_engine.py does;
2. issuing a round (`monitoring_round_issue`) for a city-scale region built with bench/city.py's
   organisation, people and indicator rows (54 departments, 2,000 subjects by default): wall
   time, query count and where the time goes (history rows, the per-report lights, notices);
3. filling: `--fill` reports saved with `monitoring_save_draft`, each with its own figures
   (demo_fill's content at a per-report share and progress), p50/p95 per save; then submitted;
4. the lights list `/monitoring/review/` and `/monitoring/overview/` as the finance bureau,
   through Django's test client in `--clients` threads at once: p50/p95 and queries per page.

SQLite (a throw-away file, so the threads share it) by default; PostgreSQL when DATABASE_URL
points to it (a throw-away test database beside the named one):

    SELFEVAL_MODE=test .venv/bin/python bench/bench_monitoring.py [--subjects 2000] \\
        [--departments 54] [--units 300] [--indicators 8] [--inputs 5000] [--fill 300] \\
        [--clients 8] [--requests 20] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfeval_bench_monitoring ... (same)
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gc
import os
import pstats
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import bulk_filings, throwaway_database  # noqa: E402 (sets Django up)
from bench.machine import machine  # noqa: E402

YEAR = 2023  # bulk_filings writes subjects of 2023
AS_OF = datetime.date(YEAR, 6, 30)
DEADLINE = datetime.date(YEAR, 7, 15)
ISSUE_BAR_S = 5.0  # the bureau's POST: above this for the city, the issue is too slow


def load() -> str:
    """The load average now (1, 5, 15 min)."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


class QueryCount:
    """Queries run on this thread's connection while inside; counted, not logged, so a round
    of thousands of reports is counted in full (Django's query log keeps the last 9,000)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


# --- 1. the pure engine --------------------------------------------------------------------------


# A report's health: the range (in ten-thousandths) its figures reach of what is due by now.
HEALTH = (((8500, 11800), 60), ((6500, 9500), 25), ((3000, 7000), 10), ((12000, 15000), 5))


def _value_to_date(
    target: str, kind: str, progress: Decimal, reach: tuple[int, int], rng: random.Random
) -> str:
    """A value to date near what is due (the target × `progress` for a count or an amount, the
    target itself for a rate), scaled by the report's `reach`; words as filed."""
    from bench.bench_engine import WORDS, _actual
    from scoring.engine import targets

    if kind in ("words", "date"):
        return rng.choice(WORDS) if kind == "words" else _actual(target, kind, rng, fine=True)
    parsed = targets.parse_target(target)
    if parsed.kind != targets.QUANTITATIVE or parsed.value is None:
        return _actual(target, kind, rng, fine=True)
    factor = Decimal(rng.randint(*reach)) / 10000
    on_track = reach[0] >= HEALTH[0][0][0]
    if kind == "percent":  # a rate is held to its target all year, and tops out at 100 %
        factor = 1 + Decimal(rng.randint(0, 400)) / 10000 if on_track else factor
    elif kind == "small":  # lower is better
        factor = Decimal(rng.randint(5000, 9900) if on_track else rng.randint(10500, 15000))
        factor /= 10000
    else:
        factor *= progress
    value = (parsed.value * factor).quantize(Decimal("0.01"))
    if kind == "percent":
        value = min(value, Decimal(100))
    return f"{value:f}{parsed.unit_of_measure or ''}"


def build_inputs(count: int, seed: int = 2025) -> list:
    """`count` distinct monitoring inputs of 6–10 rows: names, targets, values and dates vary."""
    from bench.bench_engine import ROWS, _distinct_name, _distinct_target, _random_split
    from scoring.engine.model import FundLine
    from scoring.engine.monitoring import MonitoringIndicatorInput, MonitoringInput

    rng = random.Random(seed)
    by_level1 = {level1: [r for r in ROWS if r[0] == level1] for level1 in ("产出指标", "效益指标")}
    by_level1["满意度指标"] = [r for r in ROWS if r[0] == "满意度指标"]
    used: set[str] = set()
    likelihoods = ["certain", "certain", "possible", "unlikely", None]
    inputs = []
    for _ in range(count):
        rows_count = rng.randint(6, 10)
        outputs, benefits = rows_count // 2, rows_count * 3 // 10
        plan = [("产出指标", w) for w in _random_split(50, outputs, rng)]
        plan += [("效益指标", w) for w in _random_split(30, benefits, rng)]
        plan += [("满意度指标", w) for w in _random_split(10, rows_count - outputs - benefits, rng)]
        as_of = datetime.date(rng.choice((2023, 2024, 2025)), rng.randint(3, 11), 1)
        as_of += datetime.timedelta(days=rng.randint(0, 30))
        progress = Decimal(as_of.month) / 12
        reach = rng.choices([h[0] for h in HEALTH], weights=[h[1] for h in HEALTH])[0]
        rows = []
        for level1, weight in plan:
            _, level2, name, template, kind = rng.choice(by_level1[level1])
            target = _distinct_target(template, rng)
            likelihood = rng.choice(likelihoods) if reach[0] < 8500 else "certain"
            explained = likelihood in ("possible", "unlikely") and rng.random() < 0.85
            rows.append(
                MonitoringIndicatorInput(
                    level1=level1,
                    level2=level2,
                    name=_distinct_name(name, used, rng),
                    target=target,
                    value=None
                    if rng.random() < 0.05
                    else _value_to_date(target, kind, progress, reach, rng),
                    likelihood=likelihood,
                    likelihood_reason="上半年合同签订推迟，资金支付集中在下半年"
                    if explained
                    else None,
                    measures="按月调度进度，三季度末前完成主要合同支付" if explained else None,
                    weight=weight,
                )
            )
        budget = Decimal(rng.randint(50_000, 30_000_000)) + Decimal(rng.randint(0, 99)) / 100
        share = progress * Decimal(rng.randint(*reach)) / 10000
        executed = (budget * min(share, Decimal(1))).quantize(Decimal("0.01"))
        inputs.append(
            MonitoringInput(
                as_of=as_of,
                funds=(FundLine("total", budget, budget, executed),),
                indicators=tuple(rows),
            )
        )
    return inputs


def bench_engine(count: int, repeat: int) -> list[tuple[str, str]]:
    """Reports per second of `monitor`, best of `repeat` cold runs on one core."""
    from bench.bench_engine import _clear_caches
    from scoring.engine import load_ruleset
    from scoring.engine.monitoring import monitor

    rules = load_ruleset()
    inputs = build_inputs(count)
    rows = sum(len(i.indicators) for i in inputs)
    gc.collect()
    gc.freeze()
    runs, lights = [], defaultdict(int)
    for n in range(max(1, repeat)):
        _clear_caches(rules)
        gc.collect()
        start_cpu, start = time.process_time(), time.perf_counter()
        results = [monitor(inp, rules) for inp in inputs]
        runs.append((time.process_time() - start_cpu, time.perf_counter() - start))
        if n == 0:
            for result in results:
                lights[result.light or "none"] += 1
        del results
    gc.unfreeze()
    runs.sort()
    cpu, wall = runs[0]
    mix = ", ".join(f"{k} {v}" for k, v in sorted(lights.items()))
    return [
        ("engine: reports", f"{count:,} distinct, {rows:,} rows (6–10 each)"),
        ("engine: best of runs", f"{len(runs)} cold runs: {cpu:.2f} s CPU, {wall:.2f} s wall"),
        ("engine: throughput", f"{count / cpu:,.0f} reports/s, {rows / cpu:,.0f} rows/s (CPU)"),
        ("engine: median run", f"{count / runs[len(runs) // 2][0]:,.0f} reports/s"),
        ("engine: project lights", mix),
    ]


# --- the city ------------------------------------------------------------------------------------


def build_city(departments: int, units: int, subjects: int, indicators: int):
    """bench/city.py's organisation and people, `subjects` subjects with distinct rows and
    budgets (portable writes, so SQLite takes them too); returns (region, finance user)."""
    from django.contrib.auth import get_user_model

    from bench.city import indicator_rows, organisation, people
    from projects.models import FundLine

    region, depts, unit_rows = organisation(departments, units)
    people(region, depts, unit_rows)
    bulk_filings(
        unit_rows,
        subjects,
        rows=lambda i: indicator_rows(i, indicators, YEAR),
        executed=lambda i: Decimal(0),
        budget=Decimal(0),
        code="M",
        name="监控项目",
    )
    lines = list(FundLine.objects.filter(project__unit__department__region=region))
    for line in lines:
        pid = line.project_id
        base = Decimal((pid * 7919) % 4950 + 50) * 1000 + Decimal(pid % 89) * Decimal("3.17")
        share = Decimal("0.6") if line.source == "current_year" else Decimal(1)
        line.initial = (base * share).quantize(Decimal("0.01"))
        line.adjusted = line.initial + Decimal((pid * 31) % 7) * 10000
        line.executed = None
    FundLine.objects.bulk_update(lines, ["initial", "adjusted", "executed"], batch_size=2000)
    return region, get_user_model().objects.get(username="city_finance1")


# --- 2. issuing a round --------------------------------------------------------------------------


class Phases:
    """Wall time and queries spent inside the wrapped callables, by phase."""

    def __init__(self, ctx):
        self.ctx, self.time, self.queries, self.calls = (
            ctx,
            defaultdict(float),
            defaultdict(int),
            {},
        )

    def wrap(self, owner, name: str, label: str):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            before, started = self.ctx.n, time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.time[label] += time.perf_counter() - started
                self.queries[label] += self.ctx.n - before
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, name, timed)
        return lambda: setattr(owner, name, original)


def bench_issue(region, user, profile: bool) -> list[tuple[str, str]]:
    """Issue the round once, timed, with its queries and the time of each part."""

    import scoring.monitoring
    from projects import notifications
    from projects.models import MonitoringEntry, MonitoringFund
    from projects.monitoring import services

    with QueryCount() as ctx:
        phases = Phases(ctx)
        undo = [
            phases.wrap(services, "bulk_create_with_history", "bulk_create_with_history"),
            phases.wrap(scoring.monitoring, "monitor_report", "monitor_report (per report)"),
            phases.wrap(notifications, "notify", "notifications"),
            phases.wrap(MonitoringFund.objects, "bulk_create", "fund rows (bulk_create)"),
            phases.wrap(MonitoringEntry.objects, "bulk_create", "entry rows (bulk_create)"),
        ]
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        try:
            if profiler:
                profiler.enable()
            issue = services.monitoring_round_issue(
                region=region, as_of=AS_OF, deadline=DEADLINE, user=user
            )
        finally:
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - started
            for restore in undo:
                restore()
    total_queries = ctx.n
    rows = [
        ("issue: reports created", f"{issue.reports_created:,}"),
        ("issue: wall time", f"{elapsed:.2f} s{' (under cProfile)' if profiler else ''}"),
        ("issue: queries", f"{total_queries:,}"),
    ]
    accounted_t, accounted_q = 0.0, 0
    for label in (
        "bulk_create_with_history",
        "fund rows (bulk_create)",
        "entry rows (bulk_create)",
        "monitor_report (per report)",
        "notifications",
    ):
        t, q, n = phases.time[label], phases.queries[label], phases.calls.get(label, 0)
        accounted_t, accounted_q = accounted_t + t, accounted_q + q
        rows.append((f"  {label}", f"{t:.2f} s ({t / elapsed:.0%}), {q:,} queries, {n:,} calls"))
    rest_t = elapsed - accounted_t
    rows.append(
        (
            "  the rest (reading the subjects and the reports)",
            f"{rest_t:.2f} s ({rest_t / elapsed:.0%}), {total_queries - accounted_q:,} queries",
        )
    )
    verdict = "over" if elapsed > ISSUE_BAR_S else "within"
    rows.append(("issue: bar", f"{ISSUE_BAR_S:.0f} s for the bureau's POST: {verdict}"))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return rows


# --- 3. filling and submitting -------------------------------------------------------------------


def bench_fill(region, count: int) -> list[tuple[str, str]]:
    """`count` reports saved once each with their own figures, then submitted; some approved."""

    from projects.models import Membership, MonitoringReport
    from projects.monitoring.demo_fill import demo_content
    from projects.monitoring.services import monitoring_save_draft, report_queryset
    from projects.review.services import workflow

    filers = {
        m.unit_id: m.user
        for m in Membership.objects.filter(
            role="filer", unit__department__region=region
        ).select_related("user")
    }
    reviewers = {
        m.department_id: m.user
        for m in Membership.objects.filter(role="department_reviewer").select_related("user")
    }
    reports = list(report_queryset().filter(round__region=region).order_by("pk")[: max(count, 0)])
    rng = random.Random(11)
    times, queries = [], []
    for n, report in enumerate(reports):
        # A share of the year's budget executed and a progress of the targets, per report.
        low, high = rng.choices([h[0] for h in HEALTH], weights=[h[1] for h in HEALTH])[0]
        plan = SimpleNamespace(
            executed=Decimal(rng.randint(low, high)) / 20000,  # of a half-year's due share
            progress=Decimal(rng.randint(low, high)) / 10000,
        )
        content = demo_content(report, plan)
        content["explanation"] += f"（第{n + 1}份）"
        user = filers[report.project.unit_id]
        with QueryCount() as ctx:
            started = time.perf_counter()
            monitoring_save_draft(report=report, user=user, version=report.version, content=content)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(ctx.n)
    submitted = blocked = approved = 0
    submit_times = []
    for n, report in enumerate(reports):
        fresh = MonitoringReport.objects.select_related("project__unit").get(pk=report.pk)
        started = time.perf_counter()
        try:
            fresh = workflow.filing_submit(filing=fresh, user=filers[fresh.project.unit_id])
        except workflow.SubmissionBlocked:
            blocked += 1
            continue
        submit_times.append((time.perf_counter() - started) * 1000)
        submitted += 1
        if fresh.status == "submitted" and n % 2 == 0:
            workflow.filing_department_approve(
                filing=fresh, user=reviewers[fresh.project.unit.department_id]
            )
            approved += 1
    lights = defaultdict(int)
    for light in MonitoringReport.objects.filter(pk__in=[r.pk for r in reports]).values_list(
        "light", flat=True
    ):
        lights[light or "none"] += 1
    if not times:
        return [("fill", "no reports")]
    return [
        ("fill: reports saved", f"{len(times):,}, each with its own figures"),
        (
            "fill: save (ms)",
            f"p50 {statistics.median(times):.0f}, p95 {percentile(times, 95):.0f}, "
            f"max {max(times):.0f}",
        ),
        ("fill: queries per save", f"p50 {statistics.median(queries):.0f}, max {max(queries)}"),
        (
            "fill: submit (ms)",
            f"p50 {statistics.median(submit_times):.0f}, p95 {percentile(submit_times, 95):.0f}"
            if submit_times
            else "none submitted",
        ),
        (
            "fill: outcome",
            f"{submitted} submitted ({approved} then department-approved), {blocked} blocked",
        ),
        ("fill: project lights", ", ".join(f"{k} {v}" for k, v in sorted(lights.items()))),
    ]


# --- 4. the pages, with concurrent clients -------------------------------------------------------


def profile_pages(user) -> None:
    """A cProfile of one request of each page, after a warm one."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    for url in ("/monitoring/review/", "/monitoring/overview/"):
        client.get(url)
        profiler = cProfile.Profile()
        profiler.runcall(client.get, url)
        print(f"\n-- profile of {url}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def bench_pages(user, clients: int, requests: int) -> list[tuple[str, str]]:
    """The lights list and the overview as the finance bureau, `clients` threads at once."""
    import logging

    from django.test import Client

    pages = [
        ("/monitoring/review/", "lights list (whole region)"),
        ("/monitoring/review/?page=4", "lights list, page 4"),
        ("/monitoring/overview/", "overview"),
    ]
    logging.disable(logging.INFO)  # a login's notices, once per client
    warm = Client()
    warm.force_login(user)
    for url, _ in pages:  # templates compiled, caches warm, before the clock
        response = warm.get(url)
        assert response.status_code == 200, (url, response.status_code)
    results, query_counts, errors, elapsed = concurrent_gets(user, pages, clients, requests)
    total = sum(len(v) for v in results.values())
    rows = [
        (
            "pages: clients",
            f"{clients} threads × {requests} requests, {total / elapsed:.1f} requests/s",
        )
    ]
    rows += page_rows(pages, results, query_counts)
    if errors:
        rows.append(("pages: errors", f"{len(errors)}: {errors[:3]}"))
    return rows


def concurrent_gets(user, pages, clients: int, requests: int):
    """`clients` threads, each its own signed-in client, released together by a barrier, each
    GETting `requests` of `pages` in turn (shifted by the thread's number, so every page is under
    load at once). Returns times (ms) and query counts by label, the failures, and the seconds."""
    from django.db import connections
    from django.test import Client

    results, query_counts, errors = defaultdict(list), defaultdict(list), []
    lock, barrier = threading.Lock(), threading.Barrier(clients)

    def run(k: int) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            for n in range(requests):
                url, label = pages[(n + k) % len(pages)]
                with QueryCount() as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code != 200:
                        errors.append((url, response.status_code))
                    results[label].append(elapsed)
                    query_counts[label].append(ctx.n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, query_counts, errors, time.perf_counter() - started


def page_rows(pages, results, query_counts) -> list[tuple[str, str]]:
    """One printed row per page: p50, p95, max and the most queries a request made."""
    rows = []
    for _, label in pages:
        times = results[label]
        if times:
            rows.append(
                (
                    f"  {label}",
                    f"p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
                    f"max {max(times):.0f} ms, {max(query_counts[label])} queries "
                    f"({len(times)} req)",
                )
            )
    return rows


# --- main ----------------------------------------------------------------------------------------


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    """One section of figures, aligned."""
    width = max(len(label) for label, _ in rows) + 2
    print(f"\n== {title}")
    for label, value in rows:
        print(f"{label:<{width}}{value}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--departments", type=int, default=54)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--indicators", type=int, default=8)
    parser.add_argument("--inputs", type=int, default=5000, help="engine inputs")
    parser.add_argument("--repeat", type=int, default=3, help="cold engine runs")
    parser.add_argument("--fill", type=int, default=300, help="reports saved and submitted")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=20, help="requests per client")
    parser.add_argument("--profile", action="store_true", help="cProfile the issue and pages")
    parser.add_argument("--skip-engine", action="store_true")
    args = parser.parse_args()

    from django.conf import settings
    from django.db import connection

    print(f"machine: {machine()}")
    if not args.skip_engine:
        print_table("1. engine (monitor), distinct inputs", bench_engine(args.inputs, args.repeat))
    if connection.vendor == "sqlite":
        # A file, not the shared in-memory database, so the page threads read what was written.
        test = connection.settings_dict.setdefault("TEST", {})
        test["NAME"] = str(Path(tempfile.mkdtemp()) / "bench_monitoring.sqlite3")
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    with throwaway_database(instrumented=False):
        started = time.perf_counter()
        region, user = build_city(args.departments, args.units, args.subjects, args.indicators)
        built = time.perf_counter() - started
        print_table(
            f"city on {connection.vendor}",
            [
                ("departments, units", f"{args.departments}, {args.units}"),
                ("subjects", f"{args.subjects:,} × {args.indicators} indicators, 2 fund lines"),
                ("built in", f"{built:.1f} s (load {load()})"),
            ],
        )
        print_table(
            f"2. issuing the round ({connection.vendor})", bench_issue(region, user, args.profile)
        )
        print_table(f"3. filling ({connection.vendor})", bench_fill(region, args.fill))
        if args.profile:
            profile_pages(user)
        for clients in sorted({1, args.clients}):
            print_table(
                f"4. pages over Django's test client, {clients} at once ({connection.vendor})",
                bench_pages(user, clients, args.requests),
            )
    print(f"\nload after: {load()}")


if __name__ == "__main__":
    main()
