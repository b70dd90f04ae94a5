"""Benchmark: a department package PDF at 50, 125 and 250 projects, time and peak memory.

Reads the city (bench/city.py, PostgreSQL `selfeval_city`): the department with the most
projects of 2023, its first N filings (every status, so drafts carry their watermark). Each size
runs in a fresh process with an empty document store (no part laid out before), so the peak RSS
is that of one package and nothing else; then once more with the store kept, as a refresh of an
unchanged department finds it. Printed: seconds, pages, size, the process's peak RSS (ru_maxrss),
and seconds per page, which stays flat when time grows linearly.

    .venv/bin/python bench/bench_package.py [--db selfeval_city] [--sizes 50,125,250]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"


def child(size: int, media: str) -> None:
    """Run in the measuring process: render one package and print its figures as JSON."""
    import resource

    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()
    from django.db.models import Count

    from projects.models import Department, Evaluation
    from reports import selectors
    from reports.stored.package_pdf import package_pdf

    biggest = (
        Evaluation.objects.filter(year=2023)
        .values("project__unit__department")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    department = Department.objects.select_related("region").get(
        pk=biggest["project__unit__department"]
    )
    ids = list(
        Evaluation.objects.filter(project__unit__department=department, year=2023)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    started = time.perf_counter()
    package = selectors.department_package(
        Evaluation.objects.filter(pk__in=ids), department=department, year=2023
    )
    built = time.perf_counter() - started
    with tempfile.TemporaryFile() as out:
        pages = package_pdf(package, out)
        size_bytes = out.tell()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "projects": len(ids),
                "seconds": seconds,
                "context_seconds": built,
                "pages": pages,
                "mb": size_bytes / 1e6,
                "peak_rss_mb": peak,
            }
        )
    )


def run(size: int, media: str, db: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{db}",
        "SELFEVAL_MODE": "production",
        "SECRET_KEY": "bench-package-" + "x" * 40,
        "ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "selfeval.settings",
    }
    output = subprocess.run(
        [sys.executable, __file__, "--child", str(size), "--media", media],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="selfeval_city")
    parser.add_argument("--sizes", default="50,125,250")
    parser.add_argument("--child", type=int)
    parser.add_argument("--media")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.media)
        return
    from bench.machine import machine

    print(machine())
    print(
        f"{'projects':>8} {'run':>6} {'pages':>6} {'MB':>6} {'s':>7} {'s/page':>7} {'peak RSS MB':>11}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as media:
            for label in ("cold", "warm"):
                r = run(size, media, args.db)
                print(
                    f"{r['projects']:>8} {label:>6} {r['pages']:>6} {r['mb']:>6.1f} "
                    f"{r['seconds']:>7.1f} {r['seconds'] / r['pages']:>7.3f} "
                    f"{r['peak_rss_mb']:>11.0f}"
                )
    print(machine())


if __name__ == "__main__":
    main()
