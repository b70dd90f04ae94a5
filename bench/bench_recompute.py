"""Benchmark: live scoring on the evaluation form (the htmx recompute) and the autosave.

Builds one filer's 30-indicator evaluation (quantitative higher- and lower-is-better rows,
percentages, deadlines and qualitative rows; four fund sources) in a throw-away test database,
then posts the form to the recompute endpoint the way the browser does on every change, each
time with a different actual, and prints the median (p50) and 95th percentile server time with
the query count (the browser also posts the digests of the rows it shows, so unchanged rows are
not sent back); then the same for the autosave (a real write with the version check). The
target is p95 ≤ 50 ms for the recompute. Use PostgreSQL for production-like figures:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfeval_bench SELFEVAL_MODE=test \\
        .venv/bin/python bench/bench_recompute.py [--indicators 30] [--runs 300]
"""

import argparse
import os
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.harness import throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

# (level1, level2, name, target, actual, weight share): cycled to fill the table.
ROWS = [
    ("产出指标", "数量指标", "走访企业数量", "≥1600家", "1500家"),
    ("产出指标", "数量指标", "培训人次", "不少于300人次", "320人次"),
    ("产出指标", "质量指标", "验收合格率", "=100%", "100%"),
    ("产出指标", "时效指标", "按节点完成计划", "≥95%", "93%"),
    ("产出指标", "时效指标", "完成时间", "2023年12月", "2023年11月"),
    ("产出指标", "成本指标", "单位成本", "≤367.19万元", "360万元"),
    ("效益指标", "社会效益指标", "就业岗位", "≥600个", "640个"),
    ("效益指标", "经济效益指标", "带动投资", "≥2亿元", "2.1亿元"),
    ("效益指标", "可持续影响指标", "长效机制", "有效提升", ""),
    ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%", "92%"),
]


def build(count: int):
    """A region, a filer and a `count`-indicator draft evaluation, scored once."""
    from django.contrib.auth import get_user_model

    from projects.filing.services import draft_narrative
    from projects.models import (
        Department,
        Evaluation,
        FundLine,
        Indicator,
        IndicatorResult,
        Membership,
        Project,
        Region,
        Unit,
    )
    from scoring.services import score_evaluation

    region = Region.objects.create(name="基准测试区", code="BENCH")
    department = Department.objects.create(region=region, name="基准部门", code="D")
    unit = Unit.objects.create(department=department, name="基准部门", code="U", is_department=True)
    user = get_user_model().objects.create_user("bench_filer", password="bench-pass-1")
    Membership.objects.create(user=user, role="filer", unit=unit)
    project = Project.objects.create(
        unit=unit,
        year=2023,
        code="P1",
        name="基准项目",
        money_unit="万元",
        goal_expected="保障运转",
    )
    for source, executed in (("current_year", "380000"), ("carryover", "50000"), ("other", "0")):
        FundLine.objects.create(
            project=project,
            source=source,
            initial=Decimal("460000"),
            adjusted=Decimal("460000"),
            executed=Decimal(executed),
        )
    evaluation = Evaluation.objects.create(project=project, year=2023)
    weights = [Decimal(90) // count] * count
    weights[0] += Decimal(90) - sum(weights)
    for i in range(count):
        level1, level2, name, target, actual = ROWS[i % len(ROWS)]
        indicator = Indicator.objects.create(
            project=project,
            order=i,
            level1=level1,
            level2=level2,
            name=f"{name}{i + 1}",
            target=target,
            weight=weights[i],
        )
        IndicatorResult.objects.create(
            evaluation=evaluation,
            indicator=indicator,
            actual=actual,
            achievement="met" if not actual else "",
            deviation_reason="部分未完成" if i % 3 == 0 else "",
        )
    result = score_evaluation(evaluation)
    # The report as the page first shows it: the system's draft of every section.
    evaluation.notes = draft_narrative(evaluation, result)
    evaluation.save(update_fields=["notes"])
    return user, evaluation


def form_data(evaluation, run: int) -> dict:
    """The form as the browser posts it, with one actual changed per run."""
    from projects.models import Evaluation

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    data = {
        "version": str(evaluation.version),
        "ev-money_unit": "万元",
        "ev-goal_actual": "保障了单位日常工作正常运转",
        "ev-claimed_execution_score": "",
        "ev-claimed_execution_auto": "True",
    }
    for source in ("current_year", "carryover", "other"):
        for column in ("initial", "adjusted", "executed"):
            data[f"fund-{source}-{column}"] = "46" if column != "executed" else "38"
    indicators = list(evaluation.project.indicators.order_by("order"))
    results = {r.indicator_id: r for r in evaluation.results.all()}
    data.update(
        {
            "ind-TOTAL_FORMS": str(len(indicators)),
            "ind-INITIAL_FORMS": str(len(indicators)),
            "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "1000",
        }
    )
    for i, indicator in enumerate(indicators):
        result = results[indicator.pk]
        data[f"ind-{i}-indicator"] = str(indicator.pk)
        data[f"ind-{i}-actual"] = result.actual
        data[f"ind-{i}-achievement"] = result.achievement
        data[f"ind-{i}-claimed_score"] = ""
        data[f"ind-{i}-claimed_auto"] = "True"
        data[f"ind-{i}-deviation_reason"] = result.deviation_reason
    data["ind-0-actual"] = f"{1400 + run % 300}家"
    for key, text in evaluation.notes.items():
        data[f"nr-note_{key}"] = text  # what the textarea holds: the draft, following the figures
        data[f"nr-auto_{key}"] = "True"
    return data


def post(client, url: str, data: dict):
    """Post as htmx does: urlencoded, with the HX-Request header."""
    return client.post(
        url,
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        HTTP_HX_REQUEST="true",
    )


SIG = re.compile(r'name="(sig-\d+)" value="(\w+)"')


def measure(client, url: str, evaluation, runs: int, *, warmup: int = 10) -> dict:
    """Server times of `runs` htmx posts after a warm-up: wall clock and this process's CPU time
    (the CPU figure is what the request costs; wall time also counts other load on the machine).

    Like the browser, each post carries the row digests the page holds, taken from the full page
    and then from each answer.
    """
    from django.urls import reverse

    page = client.get(reverse("projects:evaluation_edit", args=[evaluation.pk]))
    shown = dict(SIG.findall(page.content.decode()))
    wall, cpu = [], []
    for run in range(warmup + runs):
        data = {**form_data(evaluation, run), **shown}
        started, started_cpu = time.perf_counter(), time.process_time()
        response = post(client, url, data)
        elapsed = (time.perf_counter() - started) * 1000
        elapsed_cpu = (time.process_time() - started_cpu) * 1000
        assert response.status_code == 200, response.content[:500]
        shown.update(SIG.findall(response.content.decode()))
        if run >= warmup:
            wall.append(elapsed)
            cpu.append(elapsed_cpu)
    with CaptureQueriesContext(connection) as captured:
        post(client, url, form_data(evaluation, runs + warmup))
    return {"wall": percentiles(wall), "cpu": percentiles(cpu), "queries": len(captured)}


def percentiles(timings: list[float]) -> tuple[float, float]:
    """(p50, p95) in ms."""
    timings = sorted(timings)
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.95))]


def report(label: str, figures: dict, target: float | None = None) -> None:
    """One line per measurement: wall and CPU p50/p95, queries, and the verdict."""
    (w50, w95), (c50, c95) = figures["wall"], figures["cpu"]
    verdict = ""
    if target is not None:
        verdict = f" — p95 {'within' if w95 <= target else 'OVER'} the {target:.0f} ms target"
    print(
        f"{label}: wall p50 {w50:.1f} ms, p95 {w95:.1f} ms · CPU p50 {c50:.1f} ms, "
        f"p95 {c95:.1f} ms · {figures['queries']} queries{verdict}"
    )


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=30)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()

    from django.test import Client
    from django.urls import reverse

    # Not instrumented: the template instrumentation would be timed as the server's work.
    with throwaway_database(instrumented=False):
        user, evaluation = build(args.indicators)
        client = Client()
        client.force_login(user)
        print(f"machine: {machine()}")
        print(f"database: {connection.vendor}")
        print(f"evaluation: {args.indicators} indicators, 3 fund sources, report drafted live")
        recompute = reverse("projects:evaluation_recompute", args=[evaluation.pk])
        report(
            f"recompute ({args.runs} runs)",
            measure(client, recompute, evaluation, args.runs),
            target=50,
        )
        autosave = reverse("projects:evaluation_edit", args=[evaluation.pk])
        runs = max(args.runs // 3, 20)
        report(f"autosave ({runs} runs)", measure(client, autosave, evaluation, runs, warmup=3))
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average after the runs: {load}")


if __name__ == "__main__":
    main()
