"""Benchmark: the real pages of the city (bench/city.py) over HTTP, under gunicorn in production mode.

Builds the city database unless `--skip-build`, collects the static files, then for each client
count starts a fresh `gunicorn selfeval.wsgi --workers 4` (production settings, PostgreSQL) on a
free port, so every level starts with cold processes. Each client is a thread with its own
keep-alive connections, signed in (over HTTP, with the login form's CSRF token) as a finance
reviewer, a department reviewer and a filer, and anonymous for the public pages. It picks a
distinct row for every request (an evaluation, a department) from the ones its persona may see.

With one client the pages are requested in turn, so every page gets the same number of samples
(the package PDF, which takes many seconds, once at the end); with more, each client draws pages by weight (the queue, the review page and the filing form are
the common ones, a package PDF the rarest). Printed per level: p50/p95/max per page, requests/s,
errors by status, the workers' RSS before and after, the machine and the load average. Last, four
anonymous clients download four departments' package PDFs at once.

    .venv/bin/python bench/bench_city.py [--db selfeval_city] [--clients 1,10,50] [--seconds 30] \\
        [--skip-build] [--projects 10000 --departments 40 --units 300]

The targets (the issue's item 9) are checked and printed as met or missed; nothing is tuned here.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.city import PASSWORD, REGION_CODE, SERVER, YEAR  # noqa: E402
from bench.machine import machine  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
REQUEST_TIMEOUT = 180  # seconds; above gunicorn's --timeout, so a killed worker shows as an error

# Targets of the item 9, on this machine.
P50_TARGET_MS, P95_TARGET_MS = 100, 250
RATE_TARGET, RATE_CLIENTS = 30, 10
DOWNLOAD_TARGET_S = 1.0


# --- the city's rows, read straight from PostgreSQL ------------------------------------------


@dataclass
class City:
    """What the clients pick from: ids by persona, so every request reads a distinct row."""

    departments: list[tuple[int, str]]  # (pk, code) with published filings of YEAR
    evaluations: list[int]  # every filing of YEAR
    department_approved: list[int]
    submitted_by_department: dict[int, list[int]]
    editable_by_unit: dict[int, list[int]]
    finance: list[str]
    reviewers: list[tuple[str, int]]  # (username, department pk)
    filers: list[tuple[str, int]]  # (username, unit pk) of units with editable filings


def read_city(url: str) -> City:
    """The ids of the city's rows a benchmark client needs."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT e.id, e.status, u.id, u.department_id FROM projects_evaluation e "
            "JOIN projects_project p ON p.id = e.project_id JOIN projects_unit u ON u.id = p.unit_id "
            "JOIN projects_department d ON d.id = u.department_id "
            "JOIN projects_region r ON r.id = d.region_id WHERE r.code = %s AND e.year = %s",
            [REGION_CODE, YEAR],
        ).fetchall()
        departments = conn.execute(
            "SELECT DISTINCT d.id, d.code FROM projects_department d "
            "JOIN projects_unit u ON u.department_id = d.id "
            "JOIN projects_project p ON p.unit_id = u.id "
            "JOIN projects_evaluation e ON e.project_id = p.id "
            "WHERE e.status = 'published' AND e.year = %s ORDER BY d.id",
            [YEAR],
        ).fetchall()
        members = conn.execute(
            "SELECT u.username, m.role, m.department_id, m.unit_id FROM projects_membership m "
            "JOIN auth_user u ON u.id = m.user_id WHERE u.username LIKE 'city\\_%%' ORDER BY u.id"
        ).fetchall()
    submitted, editable = defaultdict(list), defaultdict(list)
    for pk, status, unit, department in rows:
        if status == "submitted":
            submitted[department].append(pk)
        if status in ("draft", "returned"):
            editable[unit].append(pk)
    return City(
        departments=departments,
        evaluations=[r[0] for r in rows],
        department_approved=[r[0] for r in rows if r[1] == "department_approved"],
        submitted_by_department=dict(submitted),
        editable_by_unit=dict(editable),
        finance=[m[0] for m in members if m[1] == "finance_reviewer"],
        reviewers=[(m[0], m[2]) for m in members if m[1] == "department_reviewer"],
        filers=[(m[0], m[3]) for m in members if m[1] == "filer" and m[3] in editable],
    )


# --- HTTP: one keep-alive connection per persona and client ----------------------------------


class Browser:
    """A keep-alive HTTP/1.1 connection with a cookie jar, like one browser tab."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        """Send one request and read the whole body; returns (status, body, headers)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
                )
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A keep-alive connection the server closed: reconnect once, as a browser does.
                self.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data, response.headers

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def login(port: int, username: str, password: str = PASSWORD) -> tuple[dict[str, str], float]:
    """Sign in through the login form; returns the session's cookies and the seconds it took."""
    browser = Browser(port)
    started = time.perf_counter()
    status, body, _ = browser.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"login form: HTTP {status}")
    form = {
        "username": username,
        "password": password,
        "csrfmiddlewaretoken": token.group(1).decode(),
    }
    status, _, _ = browser.request(
        "POST",
        "/login/",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    elapsed = time.perf_counter() - started
    browser.close()
    if status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"login of {username}: HTTP {status}")
    return browser.cookies, elapsed


# --- the pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page a persona requests, its weight in the mixed workload and how to pick its URL."""

    label: str
    persona: str  # finance, department, filer or public
    weight: int
    url: object  # callable(Client) -> str


def _pick(rng: random.Random, items: list):
    return items[rng.randrange(len(items))]


PAGES = [
    Page("finance queue", "finance", 12, lambda c: "/review/"),
    Page(
        "review page (finance)",
        "finance",
        10,
        lambda c: f"/review/evaluations/{_pick(c.rng, c.city.department_approved)}/",
    ),
    Page("department queue", "department", 6, lambda c: "/review/"),
    Page(
        "review page (department)",
        "department",
        6,
        lambda c: f"/review/evaluations/{_pick(c.rng, c.submitted or c.city.evaluations)}/",
    ),
    Page("filing form", "filer", 12, lambda c: f"/filing/evaluations/{_pick(c.rng, c.editable)}/"),
    Page(
        "自评表 HTML",
        "finance",
        8,
        lambda c: f"/reports/evaluation/{_pick(c.rng, c.city.evaluations)}/table/",
    ),
    Page("overview", "finance", 4, lambda c: f"/review/overview/?year={YEAR}"),
    Page(
        "department detail",
        "finance",
        5,
        lambda c: f"/reports/department/{_pick(c.rng, c.city.departments)[0]}/{YEAR}/",
    ),
    Page("spot-check list", "finance", 3, lambda c: "/review/spot-checks/"),
    Page("tasks", "finance", 3, lambda c: "/review/tasks/"),
    Page("export", "finance", 2, lambda c: "/reports/export/"),
    Page("public index", "public", 8, lambda c: "/public/"),
    Page(
        "public department",
        "public",
        6,
        lambda c: f"/public/{REGION_CODE}/{YEAR}/{_pick(c.rng, c.city.departments)[1]}/",
    ),
    Page("public year CSV", "public", 2, lambda c: f"/public/data/{YEAR}.csv"),
    Page(
        "public package PDF",
        "public",
        1,
        lambda c: f"/public/{REGION_CODE}/{YEAR}/{_pick(c.rng, c.city.departments)[1]}/package.pdf",
    ),
]


@dataclass
class Client:
    """One simulated user: a browser per persona and the rows that persona may pick from."""

    number: int
    city: City
    browsers: dict[str, Browser]
    editable: list[int]
    submitted: list[int]
    rng: random.Random
    samples: list[tuple[str, object, float]] = field(default_factory=list)

    def run(self, until: float, round_robin: bool) -> None:
        """Request pages until the deadline; record (page, status, milliseconds) of each."""
        weights = [p.weight for p in PAGES]
        # In turn, the rarest page (a package PDF, many seconds) comes once, after the others.
        turns = [p for p in PAGES if p.weight > 1]
        turn = self.number
        while time.perf_counter() < until:
            if round_robin:
                page = turns[turn % len(turns)]
                turn += 1
            else:
                page = self.rng.choices(PAGES, weights)[0]
            self.get(page)
        if round_robin:
            for page in PAGES:
                if page.weight == 1:
                    self.get(page)
        for browser in self.browsers.values():
            browser.close()

    def get(self, page: Page) -> None:
        """Request one page; record (page, status or exception name, milliseconds)."""
        url = page.url(self)
        started = time.perf_counter()
        try:
            status, _, _ = self.browsers[page.persona].request("GET", url)
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            self.browsers[page.persona].close()
        self.samples.append((page.label, status, (time.perf_counter() - started) * 1000))


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(db_url: str, static_root: Path, secret: str) -> dict[str, str]:
    """Production settings for the city database (docs/operations.md), plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        SELFEVAL_MODE="production",
        SECRET_KEY=secret,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=db_url,
        CONN_MAX_AGE="60",
        STATIC_ROOT=str(static_root),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


class Gunicorn:
    """`gunicorn selfeval.wsgi --workers N` on a free port, started fresh and stopped after."""

    def __init__(self, env: dict[str, str], workers: int, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "selfeval.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        self.workers = workers
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if len(self.worker_pids()) >= self.workers:
                    self._warm()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def _warm(self) -> None:
        """Wait until every worker has loaded Django: two rounds of concurrent login forms.

        Booting is not a page's time; the pages themselves stay cold (templates, queries).
        """

        def fetch(_):
            browser = Browser(self.port)
            try:
                return browser.request("GET", "/login/")[0]
            finally:
                browser.close()

        with ThreadPoolExecutor(self.workers * 2) as pool:
            for _ in range(2):
                list(pool.map(fetch, range(self.workers * 2)))

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return sorted(int(c) for c in children)
        except OSError:
            return []

    def rss_mb(self) -> list[float]:
        """Each worker's resident set (VmRSS), in MB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- measuring ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    rank = max(1, -(-len(values) * q // 1))
    return values[int(rank) - 1]


def rss_text(sizes: list[float]) -> str:
    listed = ", ".join(f"{s:.0f}" for s in sizes)
    return f"{listed} MB (total {sum(sizes):.0f} MB)"


def sessions(port: int, city: City, clients: int, personas: int) -> tuple[list[dict], list[float]]:
    """Sign in up to `personas` users per role (4 at a time); client i reuses user i mod n."""
    finance = city.finance[:personas]
    reviewers = [r for r in city.reviewers if r[1] in city.submitted_by_department][:personas]
    filers = city.filers[:personas]
    names = [*finance, *(r[0] for r in reviewers), *(f[0] for f in filers)]
    with ThreadPoolExecutor(4) as pool:
        signed = dict(zip(names, pool.map(lambda n: login(port, n), names), strict=True))
    per_client = []
    for i in range(clients):
        reviewer, filer = reviewers[i % len(reviewers)], filers[i % len(filers)]
        per_client.append(
            {
                "finance": signed[finance[i % len(finance)]][0],
                "department": signed[reviewer[0]][0],
                "filer": signed[filer[0]][0],
                "department_pk": reviewer[1],
                "unit_pk": filer[1],
            }
        )
    return per_client, sorted(s[1] * 1000 for s in signed.values())


def run_level(env, city, logins, clients: int, seconds: float, workers: int, log: Path) -> dict:
    """One level: fresh gunicorn, `clients` threads for `seconds`; prints and returns figures."""
    server = Gunicorn(env, workers, log)
    try:
        before = server.rss_mb()
        load_before = os.getloadavg()
        pool = [
            Client(
                number=i,
                city=city,
                browsers={
                    "finance": Browser(server.port, logins[i]["finance"]),
                    "department": Browser(server.port, logins[i]["department"]),
                    "filer": Browser(server.port, logins[i]["filer"]),
                    "public": Browser(server.port),
                },
                editable=city.editable_by_unit[logins[i]["unit_pk"]],
                submitted=city.submitted_by_department.get(logins[i]["department_pk"], []),
                rng=random.Random(1000 + i),
            )
            for i in range(clients)
        ]
        started = time.perf_counter()
        until = started + seconds
        threads = [
            threading.Thread(target=c.run, args=(until, clients == 1), daemon=True) for c in pool
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        after = server.rss_mb()
    finally:
        server.stop()
    samples = [s for c in pool for s in c.samples]
    by_page = defaultdict(list)
    statuses = Counter()
    for label, status, ms in samples:
        statuses[status] += 1
        if status == 200:
            by_page[label].append(ms)
    errors = {s: n for s, n in statuses.items() if s != 200}
    rate = len(samples) / elapsed
    print(f"\n== {clients} client(s), {elapsed:.1f} s, {workers} gunicorn workers ==")
    print(f"machine: {machine()}")
    print("load before: " + ", ".join(f"{x:.2f}" for x in load_before))
    print(f"{'page':<26}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'errors':>8}")
    failed_pages = Counter(label for label, status, _ in samples if status != 200)
    worst = []
    for page in PAGES:
        times = sorted(by_page.get(page.label, []))
        if not times:
            print(f"{page.label:<26}{0:>6}{'—':>10}{'—':>10}{'—':>10}{failed_pages[page.label]:>8}")
            worst.append((page.label, None, None))
            continue
        p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
        worst.append((page.label, p50, p95))
        print(
            f"{page.label:<26}{len(times):>6}{p50:>10.0f}{p95:>10.0f}{times[-1]:>10.0f}"
            f"{failed_pages[page.label]:>8}"
        )
    print(f"requests: {len(samples)}, {rate:.1f} requests/s; errors by status: {errors or 'none'}")
    print(f"worker RSS before: {rss_text(before)}")
    print(f"worker RSS after:  {rss_text(after)}")
    timeouts = log.read_text(errors="replace").count("WORKER TIMEOUT")
    print(f"gunicorn log: {log} ({timeouts} worker timeouts so far)")
    return {"clients": clients, "rate": rate, "errors": errors, "pages": worst}


def downloads(env, city, workers: int, log: Path, count: int = 4) -> list[tuple]:
    """`count` anonymous clients download distinct departments' package PDFs at the same moment."""
    server = Gunicorn(env, workers, log)
    barrier = threading.Barrier(count)
    codes = [code for _, code in city.departments[:count]]
    results: list[tuple] = [()] * count

    def fetch(i: int) -> None:
        browser = Browser(server.port)
        barrier.wait()
        started = time.perf_counter()
        try:
            status, body, _ = browser.request(
                "GET", f"/public/{REGION_CODE}/{YEAR}/{codes[i]}/package.pdf"
            )
            size = len(body)
        except (OSError, http.client.HTTPException) as exc:
            status, size = type(exc).__name__, 0
        results[i] = (codes[i], status, time.perf_counter() - started, size)
        browser.close()

    try:
        load_before = os.getloadavg()
        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(len(codes))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()
    print(f"\n== {len(codes)} concurrent anonymous package downloads ==")
    print(f"machine: {machine()}")
    print("load before: " + ", ".join(f"{x:.2f}" for x in load_before))
    for code, status, seconds, size in results:
        print(f"department {code}: HTTP {status}, {seconds:.2f} s, {size / 1024:.0f} KB")
    return results


def verdict(levels: list[dict], fetched: list[tuple]) -> None:
    """The issue's targets, each met or missed."""
    print("\n== targets ==")
    for level in levels:
        if level["clients"] == 1:
            slow = [
                f"{label} p50 {p50:.0f}/p95 {p95:.0f} ms"
                if p50 is not None
                else f"{label}: no successful request"
                for label, p50, p95 in level["pages"]
                if p50 is None or p50 > P50_TARGET_MS or p95 > P95_TARGET_MS
            ]
            state = "met" if not slow else "missed: " + "; ".join(slow)
            print(
                f"1 client, every page p50 ≤ {P50_TARGET_MS} ms and p95 ≤ {P95_TARGET_MS} ms: {state}"
            )
        if level["clients"] == RATE_CLIENTS:
            state = "met" if level["rate"] >= RATE_TARGET else "missed"
            print(
                f"{RATE_CLIENTS} clients ≥ {RATE_TARGET} requests/s: {level['rate']:.1f}, {state}"
            )
        if level["clients"] == 50:
            state = "met" if not level["errors"] else f"missed: {level['errors']}"
            print(f"50 clients, no errors: {state}")
    if fetched:
        ok = all(s == 200 and t <= DOWNLOAD_TARGET_S for _, s, t, _ in fetched)
        slowest = max(t for _, _, t, _ in fetched)
        print(
            f"{len(fetched)} concurrent package downloads all 200 within {DOWNLOAD_TARGET_S:.0f} s: "
            f"{'met' if ok else 'missed'} (slowest {slowest:.2f} s)"
        )


def store_public_documents(env: dict[str, str]) -> None:
    """What the task worker does after each publication: the public packages, summaries and
    reports rendered and stored (`store_documents` skips what is current, so a second run is
    quick). The public pages never render: without this they would answer "正在生成"."""
    subprocess.run(
        [
            str(PYTHON),
            "manage.py",
            "store_documents",
            "--region",
            REGION_CODE,
            "--year",
            str(YEAR),
            "--public-only",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic` into the run's STATIC_ROOT, as a deployment does (whitenoise manifest)."""
    subprocess.run(
        [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="selfeval_city")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--personas", type=int, default=10, help="users signed in per role")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-downloads", action="store_true")
    parser.add_argument(
        "--without-package-pdf",
        action="store_true",
        help="leave the package PDF out of the mix, to see what the other pages sustain",
    )
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--units", type=int, default=300)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",") if c]
    if args.without_package_pdf:
        PAGES[:] = [p for p in PAGES if p.label != "public package PDF"]

    print(f"machine: {machine()}")
    if not args.skip_build:
        subprocess.run(
            [
                str(PYTHON),
                str(ROOT / "bench" / "city.py"),
                "--db",
                args.db,
                "--projects",
                str(args.projects),
                "--departments",
                str(args.departments),
                "--units",
                str(args.units),
            ],
            check=True,
        )
    db_url = f"{SERVER}/{args.db}"
    city = read_city(db_url)
    print(
        f"city {args.db}: {len(city.evaluations)} filings of {YEAR}, "
        f"{len(city.departments)} departments with published filings"
    )
    work = Path(tempfile.mkdtemp(prefix="selfeval-city-"))
    static_root = Path(tempfile.gettempdir()) / "selfeval-city-static"
    env = server_env(db_url, static_root, secrets.token_urlsafe(50))
    started = time.perf_counter()
    collect_static(env)
    print(f"collectstatic into {static_root}: {time.perf_counter() - started:.1f} s")
    log = work / "gunicorn.log"
    started = time.perf_counter()
    store_public_documents(env)
    print(
        f"public documents stored, as the worker does after publication: "
        f"{time.perf_counter() - started:.1f} s (nothing to do when they are current)"
    )

    server = Gunicorn(env, args.workers, log)
    try:
        logins, login_ms = sessions(server.port, city, max(clients), args.personas)
    finally:
        server.stop()
    print(
        f"signed in {len(login_ms)} users over HTTP: p50 {percentile(login_ms, 0.5):.0f} ms, "
        f"max {login_ms[-1]:.0f} ms (PBKDF2, production hasher)"
    )
    levels = [run_level(env, city, logins, n, args.seconds, args.workers, log) for n in clients]
    fetched = [] if args.skip_downloads else downloads(env, city, args.workers, log)
    verdict(levels, fetched)


if __name__ == "__main__":
    main()
