"""Time the city's pages one at a time, in process, and count their queries.

`bench/bench_city.py` measures the pages over HTTP under gunicorn; this one asks Django's test
client for each page in turn, in production settings against the city database
(`bench/city.py`), and prints per page p50/p95/max over `--repeat` requests, the number of SQL
queries and their total time, so a slow page can be told from a slow query. Each request runs in
a transaction that is rolled back and the session lives in a signed cookie, so the city's rows
are read, never changed (other benchmarks share the database).

    .venv/bin/python bench/city_pages.py [--db selfeval_city] [--repeat 20] [--page queue ...] \\
        [--queries | --explain] [--profile [--sort tottime] [--lines 40]]

`--queries` prints each page's three slowest queries, `--explain` their PostgreSQL plans (EXPLAIN
ANALYZE), `--profile` a cProfile of one request per page.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.city import REGION_CODE, SERVER, YEAR  # noqa: E402
from bench.machine import machine  # noqa: E402


def configure(db: str) -> None:
    """Production settings on the city database, as bench_city.server_env sets them."""
    static_root = Path(tempfile.gettempdir()) / "selfeval-city-pages-static"
    os.environ.update(
        SELFEVAL_MODE="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=f"{SERVER}/{db}",
        CONN_MAX_AGE="60",
        STATIC_ROOT=str(static_root),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="selfeval.settings",
    )
    os.environ.pop("REDIS_URL", None)
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            check=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="selfeval_city")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--page", action="append", help="only the pages whose label contains this")
    parser.add_argument("--queries", action="store_true", help="print the slowest queries")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument("--profile", action="store_true", help="print each page's hot spots")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (pstats)")
    parser.add_argument("--lines", type=int, default=40, help="the profile's length")
    args = parser.parse_args()
    configure(args.db)

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model, user_logged_in
    from django.contrib.auth.models import update_last_login
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from projects.models import Department, Evaluation, Membership

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")

    users = get_user_model().objects
    finance = users.get(username="city_finance1")
    rows = list(
        Evaluation.objects.filter(project__unit__department__region__code=REGION_CODE, year=YEAR)
        .values_list("pk", "status", "project__unit_id", "project__unit__department_id")
        .order_by("pk")
    )
    submitted = [r for r in rows if r[1] == "submitted"]
    reviewer_membership = (
        Membership.objects.filter(
            role="department_reviewer",
            department_id=submitted[0][3],
            user__username__startswith="city_",
        )
        .select_related("user")
        .first()
    )
    editable = [r for r in rows if r[1] in ("draft", "returned")]
    filer_membership = (
        Membership.objects.filter(role="filer", unit_id=editable[0][2])
        .select_related("user")
        .first()
    )
    departments = list(
        Department.objects.filter(
            region__code=REGION_CODE, units__projects__evaluations__status="published"
        )
        .distinct()
        .values_list("pk", "code")
        .order_by("pk")
    )
    rng = random.Random(7)
    dept_submitted = [r[0] for r in submitted if r[3] == reviewer_membership.department_id]
    unit_editable = [r[0] for r in editable if r[2] == filer_membership.unit_id]
    department_approved = [r[0] for r in rows if r[1] == "department_approved"]

    def pick(items):
        return items[rng.randrange(len(items))]

    pages = [
        ("finance queue", "finance", lambda: "/review/"),
        ("finance queue p40", "finance", lambda: "/review/?todo=all&page=40"),
        (
            "review page (finance)",
            "finance",
            lambda: f"/review/evaluations/{pick(department_approved)}/",
        ),
        ("department queue", "department", lambda: "/review/"),
        (
            "review page (department)",
            "department",
            lambda: f"/review/evaluations/{pick(dept_submitted)}/",
        ),
        ("filing form", "filer", lambda: f"/filing/evaluations/{pick(unit_editable)}/"),
        ("自评表 HTML", "finance", lambda: f"/reports/evaluation/{pick(rows)[0]}/table/"),
        ("overview", "finance", lambda: f"/review/overview/?year={YEAR}"),
        (
            "department detail",
            "finance",
            lambda: f"/reports/department/{pick(departments)[0]}/{YEAR}/",
        ),
        ("reports index", "finance", lambda: "/reports/"),
        ("spot-check list", "finance", lambda: "/review/spot-checks/"),
        ("tasks", "finance", lambda: "/review/tasks/"),
        ("export", "finance", lambda: "/reports/export/"),
        ("public index", "public", lambda: "/public/"),
        (
            "public department",
            "public",
            lambda: f"/public/{REGION_CODE}/{YEAR}/{pick(departments)[1]}/",
        ),
    ]
    if args.page:
        pages = [p for p in pages if any(s in p[0] for s in args.page)]

    clients = {"public": Client()}
    for persona, user in (
        ("finance", finance),
        ("department", reviewer_membership.user),
        ("filer", filer_membership.user),
    ):
        clients[persona] = Client()
        clients[persona].force_login(user)

    print(f"machine: {machine()}")
    print(f"city {args.db}: {len(rows)} filings of {YEAR}; {args.repeat} requests per page")
    print(f"{'page':<26}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'sql ms':>9}")
    for label, persona, url in pages:
        times, counts, sql = [], [], []
        slowest = []
        for i in range(args.repeat + 1):
            path = url()
            with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = clients[persona].get(path)
                elapsed = (time.perf_counter() - started) * 1000
                transaction.set_rollback(True)
            if response.status_code != 200:
                raise SystemExit(f"{label} {path}: HTTP {response.status_code}")
            if i == 0:
                if args.profile:
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile()
                    with transaction.atomic():
                        profiler.runcall(clients[persona].get, url())
                        transaction.set_rollback(True)
                    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)
                continue  # the first request compiles templates and warms caches
            times.append(elapsed)
            counts.append(len(ctx.captured_queries))
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]
        times.sort()
        p95 = times[max(0, -(-len(times) * 95 // 100) - 1)]
        print(
            f"{label:<26}{statistics.median(times):>9.0f}{p95:>9.0f}{times[-1]:>9.0f}"
            f"{max(counts):>9}{statistics.median(sql):>9.0f}"
        )
        if args.queries or args.explain:
            for q in slowest:
                print(
                    f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][: 2000 if args.explain else 300]}"
                )
                if args.explain and q["sql"].startswith("SELECT"):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + q["sql"])
                        for (line,) in cursor.fetchall():
                            print(f"        {line}")
    print(f"load after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
