"""Benchmark: concurrent saves of the filing form on the embedded SQLite database, over HTTP.

Builds a fresh SQLite file in a temp folder (migrations, then `--clients` filers, each with a
filing of `--indicators` rows), starts the demo's server on it (`manage.py runserver --noreload`,
threaded, demo settings, with the demo's `db_worker` beside it) or `--server gunicorn` (production
settings, `--workers 1 --threads N`), and has `--clients` threads, each a filer signed in through
the login form, save their own filing `--saves` times in all: every other save is the page's
autosave (htmx, answered with the new version) and the rest the 保存 button (answered with a
redirect). Each save changes the goal text and an indicator's actual, so every one is a real write
of the filing, its indicator rows, their history and the score.

Printed: saves by status (anything but 200 and 302 is an error), p50/p95/max per kind, saves/s,
the machine and its load before and after; then whether every filing's stored version counts
exactly the saves that answered success (no save lost, none applied twice).

    .venv/bin/python bench/bench_sqlite_writes.py [--clients 20] [--saves 4000] \\
        [--server runserver|gunicorn] [--threads 20] [--indicators 20] [--no-worker]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_city import Browser, free_port, login, percentile  # noqa: E402
from bench.machine import machine  # noqa: E402
from tests.formfields import FilingFormFields  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "bench-sqlite-2024"


# --- the database ------------------------------------------------------------------------------


def build(db_path: Path, clients: int, indicators: int) -> list[tuple[str, int]]:
    """Migrate a fresh SQLite file and give each client a filer and a draft filing.

    Runs in a child process: the settings read DATABASE_URL once, at import. Returns
    [(username, evaluation id)].
    """
    script = f"""
import django
django.setup()
from decimal import Decimal
from django.contrib.auth.models import User
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench.harness import Row, bulk_filings, region_units
from projects.models import Membership
region, units = region_units({clients})
weight = Decimal(90) / {indicators}
rows = lambda i: [
    Row("产出指标", "数量指标", f"指标{{k}}", "≥100个", weight, f"{{90 + (i + k) % 20}}个")
    for k in range({indicators})
]
evaluations = bulk_filings(
    units, {clients}, rows=rows, executed=lambda i: Decimal(900000), budget=Decimal(1000000)
)
for i, (unit, evaluation) in enumerate(zip(units, evaluations)):
    user = User.objects.create_user(f"bench_filer_{{i}}", password={PASSWORD!r})
    Membership.objects.create(user=user, role=Membership.Role.FILER, unit=unit)
    print(user.username, evaluation.pk)
"""
    env = {**os.environ, "SELFEVAL_MODE": "demo", "DATABASE_URL": f"sqlite:///{db_path}"}
    env["DJANGO_SETTINGS_MODULE"] = "selfeval.settings"
    done = subprocess.run(
        [str(PYTHON), "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return [(name, int(pk)) for name, pk in (line.split() for line in done.stdout.splitlines())]


def stored_versions(db_path: Path) -> dict[int, int]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT id, version FROM projects_evaluation"))


# --- the server ---------------------------------------------------------------------------------


class Server:
    """The demo's runserver (and db_worker), or gunicorn with one worker and N threads."""

    def __init__(self, kind: str, db_path: Path, work: Path, threads: int, worker: bool):
        self.port = free_port()
        self.log = work / "server.log"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "LOG_LEVEL": "WARNING"}
        env.pop("REDIS_URL", None)
        if kind == "runserver":
            # The demo's settings and commands (Makefile: DEMO_ENV, scripts/serve-demo.sh).
            env.update(SELFEVAL_MODE="demo", DEBUG="true")
            command = [
                str(PYTHON),
                "manage.py",
                "runserver",
                "--noreload",
                f"127.0.0.1:{self.port}",
            ]
        else:
            static_root = work / "static"
            env.update(
                SELFEVAL_MODE="production",
                SECRET_KEY=secrets.token_urlsafe(50),
                DEBUG="false",
                ALLOWED_HOSTS="127.0.0.1",
                SECURE_SSL_REDIRECT="false",
                SECURE_COOKIES="false",
                STATIC_ROOT=str(static_root),
            )
            subprocess.run(
                [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            command = [
                str(GUNICORN),
                "selfeval.wsgi",
                "--workers",
                "1",
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ]
        log = self.log.open("ab")
        self.processes = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        ]
        if worker:
            self.processes.append(
                subprocess.Popen(
                    [str(PYTHON), "manage.py", "db_worker", "--no-reload"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                browser = Browser(self.port)
                status = browser.request("GET", "/login/")[0]
                browser.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not start; see {self.log}")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- a filer -------------------------------------------------------------------------------------


def sign_in(port: int, username: str) -> Browser:
    """A browser signed in through the login form (the city benchmark's sign-in)."""
    cookies, _ = login(port, username, PASSWORD)
    return Browser(port, cookies)


VERSION = re.compile(rb'id="version-input" value="(\d+)"')


class Filer:
    """One client: a signed-in filer saving their filing, as the page does."""

    def __init__(self, port: int, username: str, evaluation: int):
        self.port = port
        self.browser = sign_in(port, username)
        self.url = f"/filing/evaluations/{evaluation}/"
        self.evaluation = evaluation
        status, body, _ = self.browser.request("GET", self.url)
        if status != 200:
            raise RuntimeError(f"filing page {self.url}: HTTP {status}")
        parser = FilingFormFields()
        parser.feed(body.decode())
        self.form = parser.data
        self.saved = 0

    def save(self, n: int) -> tuple[str, int, float]:
        """The n-th save: autosave (htmx) on even n, the 保存 button on odd; (kind, status, s)."""
        kind = "autosave" if n % 2 == 0 else "save"
        data = dict(self.form)
        data["ev-goal_actual"] = f"全年支付经费，第{n}次保存"
        data["ind-0-actual"] = f"{100 + n % 50}个"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{self.port}{self.url}",
        }
        if kind == "autosave":
            headers.update({"HX-Request": "true", "X-CSRFToken": data["csrfmiddlewaretoken"]})
        started = time.perf_counter()
        try:
            status, body, _ = self.browser.request(
                "POST", self.url, body=urlencode(data), headers=headers
            )
        except OSError:
            return kind, 0, time.perf_counter() - started
        elapsed = time.perf_counter() - started
        if (kind, status) in (("autosave", 200), ("save", 302)):
            self.saved += 1
            found = VERSION.search(body)
            self.form["version"] = (
                found.group(1).decode() if found else str(int(self.form["version"]) + 1)
            )
        return kind, status, elapsed


# --- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--saves", type=int, default=4000, help="in all, shared by the clients")
    parser.add_argument("--server", choices=("runserver", "gunicorn"), default="runserver")
    parser.add_argument("--threads", type=int, default=20, help="gunicorn's --threads")
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--no-worker", action="store_true", help="no db_worker beside the server")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="selfeval-sqlite-bench-") as folder:
        work = Path(folder)
        db_path = work / "selfeval.sqlite3"
        started = time.perf_counter()
        filers = build(db_path, args.clients, args.indicators)
        print(
            f"built {db_path.name}: {args.clients} filers and filings × {args.indicators} "
            f"indicators in {time.perf_counter() - started:.1f} s"
        )
        server = Server(args.server, db_path, work, args.threads, not args.no_worker)
        try:
            clients = [Filer(server.port, name, pk) for name, pk in filers]
            before = stored_versions(db_path)
            counter = iter(range(args.saves))
            lock = threading.Lock()
            results: list[tuple[str, int, float]] = []

            def run(client: Filer) -> None:
                while True:
                    with lock:
                        n = next(counter, None)
                    if n is None:
                        return
                    outcome = client.save(n)
                    with lock:
                        results.append(outcome)

            threads = [threading.Thread(target=run, args=(c,)) for c in clients]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.stop()

        statuses = Counter(status for _, status, _ in results)
        errors = {s: c for s, c in statuses.items() if s not in (200, 302)}
        label = (
            "runserver --noreload (demo settings, threaded)"
            if args.server == "runserver"
            else f"gunicorn --workers 1 --threads {args.threads} (production settings)"
        ) + ("" if args.no_worker else " + db_worker")
        print(f"\n== {len(results)} saves by {args.clients} clients on {label} ==")
        print(f"{elapsed:.1f} s, {len(results) / elapsed:.1f} saves/s")
        print(
            "by status: "
            + ", ".join(f"{s or 'no answer'}: {c}" for s, c in sorted(statuses.items()))
        )
        print(f"errors: {sum(errors.values())}" + (f" {errors}" if errors else ""))
        times = defaultdict(list)
        for kind, _status, seconds in results:
            times[kind].append(seconds * 1000)
        for kind, values in sorted(times.items()):
            values.sort()
            print(
                f"  {kind:>8}: p50 {percentile(values, 0.5):.0f} ms, "
                f"p95 {percentile(values, 0.95):.0f} ms, max {values[-1]:.0f} ms ({len(values)})"
            )
        after = stored_versions(db_path)
        lost = [
            c.evaluation for c in clients if after[c.evaluation] - before[c.evaluation] != c.saved
        ]
        print(
            "stored versions match the successful saves"
            if not lost
            else f"stored versions differ from the successful saves on filings {lost}"
        )
        if errors:
            print("the server log's last lines:")
            print("\n".join(server.log.read_text(errors="replace").splitlines()[-40:]))
    print(f"machine at the end: {machine()}")


if __name__ == "__main__":
    main()
