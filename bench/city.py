"""The city: a region the size of a large city's budget, built into its own PostgreSQL database.

Default: 40 departments with 300 units, 10,000 projects of 2023 with 20 indicators each (200,000
indicator rows with distinct names, targets and actuals), filings in every status, scored by
`scoring.recompute.recompute`, users for every role, and two earlier years of published history
with their tasks and spot checks. `bench/bench_city.py` drives the real pages against it over HTTP.

The database is created when missing and migrated; a city already there is kept (idempotent), and
`--rebuild` drops and builds it again. The builder writes with `bulk_create` (bench/harness.py):

    .venv/bin/python bench/city.py [--db selfeval_city] [--projects 10000] [--departments 40] \\
        [--units 300] [--history-years 2] [--rebuild]

Every persona's password is `PASSWORD` below; the usernames are `city_finance1`…, `city_dept01`…
(one per department) and `city_filer001`… (one per unit).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SERVER = "postgres://postgres@127.0.0.1:5432"
REGION_CODE = "CITY"
YEAR = 2023
PASSWORD = "city-bench-pass-2024"
FINANCE_USERS = 3
INDICATORS = 20
HISTORY_INDICATORS = 10

# The share of the year's filings in each status, out of 20 (every status of domain.md §2).
STATUS_SHARE = [
    ("draft", 3),
    ("submitted", 3),
    ("department_approved", 3),
    ("approved", 4),
    ("published", 6),
    ("returned", 1),
]

DEPARTMENT_NAMES = [
    "教育局",
    "卫生健康委员会",
    "交通运输局",
    "农业农村局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "水务局",
    "生态环境局",
    "文化广电旅游局",
    "体育局",
    "科学技术局",
    "工业和信息化局",
    "商务局",
    "市场监督管理局",
    "应急管理局",
    "自然资源和规划局",
    "城市管理局",
    "公安局",
    "司法局",
    "财政局",
    "审计局",
    "统计局",
    "退役军人事务局",
    "医疗保障局",
    "林业局",
    "园林绿化局",
    "供销合作社",
    "档案馆",
    "图书馆",
    "妇女联合会",
    "残疾人联合会",
    "总工会",
    "共青团委员会",
    "红十字会",
    "气象局",
    "地震局",
    "机关事务管理局",
    "信访局",
    "数据资源管理局",
]
UNIT_KINDS = ["服务中心", "管理站", "监测站", "事务中心", "培训中心", "研究所", "保障中心"]
PROJECT_KINDS = [
    "专项经费",
    "运行维护",
    "能力建设",
    "补助资金",
    "改造工程",
    "信息化建设",
    "购买服务",
    "设备购置",
    "宣传培训",
    "奖补资金",
]
# (一级, 二级, 三级 stem, target pattern, actual pattern): patterns the scoring parser reads.
INDICATOR_TEMPLATES = [
    ("产出指标", "数量指标", "完成服务人次", "≥{n}人次", "{a}人次"),
    ("产出指标", "数量指标", "建设改造点位", "≥{s}个", "{b}个"),
    ("产出指标", "数量指标", "开展培训场次", "≥{s}场", "{b}场"),
    ("产出指标", "数量指标", "设备购置数量", "={s}台", "{s}台"),
    ("产出指标", "质量指标", "验收合格率", "≥{p}%", "{q}%"),
    ("产出指标", "质量指标", "资金支付准确率", "=100%", "100%"),
    ("产出指标", "质量指标", "问题整改完成率", "≥{p}%", "{q}%"),
    ("产出指标", "时效指标", "项目完成时间", "{y}年{m}月", "{y}年{m2}月"),
    ("产出指标", "时效指标", "资金拨付及时率", "≥{p}%", "{q}%"),
    ("产出指标", "成本指标", "单位服务成本", "≤{c}万元", "{d}万元"),
    ("产出指标", "成本指标", "项目总成本", "≤{n}万元", "{e}万元"),
    ("效益指标", "经济效益指标", "带动相关投资", "≥{c}万元", "{f}万元"),
    ("效益指标", "经济效益指标", "受益企业数量", "{s}-{t}家", "{b}家"),
    ("效益指标", "社会效益指标", "群众办事便利程度", "有效提升", "有效提升"),
    ("效益指标", "社会效益指标", "覆盖人口比例", "≥{p}%", "{q}%"),
    ("效益指标", "生态效益指标", "环境质量达标率", "≥{p}%", "{q}%"),
    ("效益指标", "可持续影响指标", "长效管理机制", "健全", "基本健全"),
    ("效益指标", "可持续影响指标", "设施持续使用年限", "≥{s}年", "{s}年"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥{p}%", "{q}%"),
    ("满意度指标", "服务对象满意度指标", "咨询回复及时率", "≥{p}%", "{q}%"),
]
LEVEL_WEIGHTS = {"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)}
DEVIATIONS = [
    "受汽车市场价格上涨影响，实际支出高于预期。",
    "部分点位因征地未完成推迟开工，已调整至次年一季度实施。",
    "年底集中验收，部分资金未能在当年支付，已列入结转。",
    "服务对象覆盖面扩大，计划数偏低，下年度将据实编制目标。",
]


def ensure_database(name: str, rebuild: bool) -> str:
    """Create the database (dropping it first with `rebuild`); returns its URL."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def indicator_rows(i: int, count: int, year: int):
    """The `count` indicator rows of the i-th project: distinct names, figures from `i`.

    Weights follow the national split (产出 50, 效益 30, 满意度 10) over the rows of each level.
    """
    from bench.harness import Row

    stride = max(1, len(INDICATOR_TEMPLATES) // count)
    picked = [
        INDICATOR_TEMPLATES[(k * stride + i) % len(INDICATOR_TEMPLATES)] for k in range(count)
    ]
    per_level = {level: sum(1 for t in picked if t[0] == level) for level in LEVEL_WEIGHTS}
    given = dict.fromkeys(LEVEL_WEIGHTS, Decimal(0))
    seen = dict.fromkeys(LEVEL_WEIGHTS, 0)
    rows = []
    for k, (level1, level2, stem, target, actual) in enumerate(picked):
        seen[level1] += 1
        if seen[level1] == per_level[level1]:  # the level's last row takes the remainder
            weight = LEVEL_WEIGHTS[level1] - given[level1]
        else:
            weight = (LEVEL_WEIGHTS[level1] / per_level[level1]).quantize(Decimal("0.01"))
        given[level1] += weight
        h = (i * 7919 + k * 104729) % 1_000_003
        # About one row in nine falls short of its target; in one project in five, more do.
        short = (i + k) % 9 == 0 or (i % 5 == 0 and k % 3 == 0) or (i % 11 == 0 and k % 2 == 0)
        n, s = 200 + h % 9800, 5 + h % 60
        p = 85 + h % 14
        values = {
            "n": n,
            "a": n - n // 7 if short else n + h % 50,
            "s": s,
            "b": s - 1 - s // 5 if short else s + h % 3,
            "t": s + 10,
            "p": p,
            "q": p - 6 if short else min(100, p + h % 5),
            "y": year,
            "m": 6 + h % 7,
            "m2": min(12, 7 + h % 7) if short else 6 + h % 7,
            "c": 20 + h % 480,
            "d": f"{(20 + h % 480) * (1.08 if short else 0.96):.2f}",
            "e": f"{n * (1.05 if short else 0.98):.2f}",
            "f": f"{(20 + h % 480) * (0.8 if short else 1.1):.2f}",
        }
        qualitative = "{" not in target
        rows.append(
            Row(
                level1,
                level2,
                stem,
                target.format(**values),
                weight,
                actual.format(**values),
                achievement=("partial" if short else "met") if qualitative else "",
                deviation=DEVIATIONS[h % len(DEVIATIONS)] if short else "",
            )
        )
    return rows


def organisation(departments: int, units: int):
    """The region, its departments and units (each department is also a unit of itself)."""
    from projects.models import Department, Region, Unit

    region = Region.objects.create(name="滨江市", code=REGION_CODE, finance_bureau="滨江市财政局")
    depts = Department.objects.bulk_create(
        [
            Department(
                region=region,
                name=DEPARTMENT_NAMES[d % len(DEPARTMENT_NAMES)]
                + ("" if d < len(DEPARTMENT_NAMES) else str(d // len(DEPARTMENT_NAMES) + 1)),
                code=f"D{d + 1:03d}",
            )
            for d in range(departments)
        ]
    )
    rows = []
    for u in range(max(units, departments)):
        dept = depts[u % departments]
        own = u < departments
        kind = UNIT_KINDS[(u // departments) % len(UNIT_KINDS)]
        rows.append(
            Unit(
                department=dept,
                name=f"{dept.name}本级" if own else f"{dept.name}{kind}{u // departments}",
                code=f"{dept.code}-{u // departments:02d}",
                is_department=own,
            )
        )
    return region, depts, Unit.objects.bulk_create(rows)


def people(region, depts, units) -> int:
    """Finance reviewers, one department reviewer per department, one filer per unit."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from projects.models import Membership

    # The production hasher, whatever the builder's mode: the benchmark logs in over HTTP.
    password = PBKDF2PasswordHasher().encode(PASSWORD, "citybenchsalt")
    user_model = get_user_model()
    specs = [(f"city_finance{n + 1}", "finance_reviewer", None, None) for n in range(FINANCE_USERS)]
    specs += [
        (f"city_dept{d + 1:02d}", "department_reviewer", dept, None) for d, dept in enumerate(depts)
    ]
    specs += [(f"city_filer{u + 1:03d}", "filer", None, unit) for u, unit in enumerate(units)]
    users = user_model.objects.bulk_create(
        [user_model(username=name, password=password) for name, *_ in specs]
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                role=role,
                region=region if role == "finance_reviewer" else None,
                department=dept,
                unit=unit,
            )
            for user, (_, role, dept, unit) in zip(users, specs, strict=True)
        ]
    )
    return len(users)


def filings(units, count: int, year: int, indicators: int, code: str) -> list:
    """`count` draft filings of `year` over `units`, with varied budgets and execution."""
    from django.db import connection

    from bench.harness import bulk_filings
    from projects.models import Evaluation, FundLine, Project

    evaluations = bulk_filings(
        units,
        count,
        rows=lambda i: indicator_rows(i, indicators, year),
        executed=lambda i: Decimal(0),
        budget=Decimal(0),
        code=code,
        name="",
        goal_expected="完成年度建设和服务任务，资金按进度拨付，服务对象满意度不低于90%。",
        goal_actual="年度任务基本完成，资金已按进度拨付，个别指标因客观原因未达预期。",
    )
    ids = [e.project_id for e in evaluations]
    # bulk_filings builds 2023 subjects named by number; give each its year and its own name.
    projects = list(Project.objects.filter(pk__in=ids).select_related("unit"))
    for n, p in enumerate(projects):
        p.year = year
        kind = PROJECT_KINDS[n % len(PROJECT_KINDS)]
        p.name = f"{p.unit.name}{year}年{kind}{n // len(PROJECT_KINDS) + 1:04d}"
    Project.objects.bulk_update(projects, ["year", "name"], batch_size=5000)
    Evaluation.objects.filter(project_id__in=ids).update(year=year)
    # Budgets from 5万 to 500万元 and execution from 55% to 100%, to the 分, distinct per project.
    base = "((project_id * 7919) %% 4950 + 50) * 1000.00 + (project_id %% 89) * 3.17"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {FundLine._meta.db_table} SET initial = {base}, "
            f"adjusted = {base} + ((project_id * 31) %% 7) * 10000.00, "
            f"executed = round(({base} + ((project_id * 31) %% 7) * 10000.00) "
            "* (55 + (project_id * 13) %% 46) / 100.0 - (project_id %% 97) * 1.37, 2) "
            "WHERE project_id = ANY(%s)",
            [ids],
        )
    return evaluations


def statuses(region, year: int, *, everything_published: bool = False) -> dict:
    """Move the scored filings through the review steps; returns counts per status."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.db.models import Case, CharField, Count, Value, When
    from django.db.models.expressions import RawSQL
    from django.utils import timezone

    from projects.models import Evaluation, EvaluationTask, Membership, ReviewStep

    task = EvaluationTask.objects.create(
        region=region,
        year=year,
        deadline=datetime.date(year + 1, 4, 30),
        issued_by=get_user_model().objects.get(username="city_finance1"),
    )
    qs = Evaluation.objects.filter(year=year, project__unit__department__region=region)
    if everything_published:
        qs.update(status="published", task=task)
    else:
        whens, start = [], 0
        for status, share in STATUS_SHARE:
            whens.append(When(bucket__lt=start + share, then=Value(status)))
            start += share
        # A hash of the id (md5): statuses must not follow the units' round-robin, or a
        # department would see only a few of them.
        bucket = RawSQL(
            f"abs(('x' || substr(md5({Evaluation._meta.db_table}.id::text), 1, 8))::bit(32)::int)"
            " %% 20",
            [],
        )
        qs.annotate(bucket=bucket).update(status=Case(*whens, output_field=CharField()), task=task)
    stamp = timezone.make_aware(datetime.datetime(year + 1, 4, 20, 10))
    qs.exclude(status="draft").update(submitted_at=stamp)
    qs.filter(status__in=("approved", "published")).update(approved_at=stamp)
    qs.filter(status="published").update(published_at=stamp + datetime.timedelta(days=30))
    path = {
        "submitted": ["submit"],
        "returned": ["submit", "department_return"],
        "department_approved": ["submit", "department_approve"],
        "approved": ["submit", "department_approve", "finance_approve"],
        "published": ["submit", "department_approve", "finance_approve", "publish"],
    }
    moves = {
        "submit": ("draft", "submitted"),
        "department_return": ("submitted", "returned"),
        "department_approve": ("submitted", "department_approved"),
        "finance_approve": ("department_approved", "approved"),
        "publish": ("approved", "published"),
    }
    # Each step by whom it would be: the unit's filer, the department's reviewer, the bureau.
    actors = dict(
        get_user_model().objects.filter(username__startswith="city_").values_list("username", "pk")
    )
    filer = {
        m.unit_id: actors[m.user.username]
        for m in Membership.objects.filter(role="filer").select_related("user")
    }
    reviewer = {
        m.department_id: actors[m.user.username]
        for m in Membership.objects.filter(role="department_reviewer").select_related("user")
    }
    steps = [
        ReviewStep(
            evaluation_id=pk,
            action=action,
            from_status=moves[action][0],
            to_status=moves[action][1],
            actor_id=filer.get(unit)
            if action == "submit"
            else reviewer.get(department)
            if action.startswith("department")
            else actors["city_finance1"],
            comment="请补充偏差原因。" if action == "department_return" else "",
            version=1,
        )
        for pk, status, unit, department in qs.exclude(status="draft").values_list(
            "pk", "status", "project__unit_id", "project__unit__department_id"
        )
        for action in path[status]
    ]
    ReviewStep.objects.bulk_create(steps, batch_size=5000)
    return {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("pk")).order_by()}


def spot_check(region, year: int) -> str:
    """One recorded spot-check draw of the year's approved filings, by a finance reviewer."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from projects.review.services.spot_checks import spot_check_draw

    user = get_user_model().objects.get(username="city_finance1")
    try:
        check = spot_check_draw(region=region, year=year, user=user, seed=year)
    except ValidationError as exc:
        return f"no spot check for {year}: {exc}"
    return f"spot check {year}: {check.items.count()} filings drawn"


def build(args) -> None:
    """Organisation, people, the year's filings and history, all scored."""
    from django.db import connection

    from scoring.recompute import recompute_region

    started = time.perf_counter()
    region, depts, units = organisation(args.departments, args.units)
    print(f"{len(depts)} departments, {len(units)} units, {people(region, depts, units)} users")
    years = [YEAR - h for h in range(args.history_years, 0, -1)]
    for year in years:
        count = max(1, args.projects // 5)
        filings(units, count, year, HISTORY_INDICATORS, code=f"H{year}-")
    filings(units, args.projects, YEAR, INDICATORS, code="P")
    print(f"filings written in {time.perf_counter() - started:.1f} s")
    for year in [*years, YEAR]:
        t = time.perf_counter()
        scored = recompute_region(region=region, year=year)
        print(f"{year}: {scored} filings scored in {time.perf_counter() - t:.1f} s")
        counts = statuses(region, year, everything_published=year != YEAR)
        print(f"{year}: {counts}")
        print(spot_check(region, year))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"city built in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="selfeval_city")
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--history-years", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build again")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = ensure_database(args.db, args.rebuild)
    from django.core.management import call_command
    from django.db import connection

    from bench.harness import django  # noqa: F401  (sets Django up on the city database)
    from bench.machine import machine
    from projects.models import Indicator, Region

    print(f"machine: {machine()}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    if Region.objects.filter(code=REGION_CODE).exists():
        print("city already built; --rebuild to build it again")
    else:
        build(args)
    # The builder rewrites every filing while scoring it; without autovacuum (off on some
    # servers) the pages would scan the dead rows, so the city is measured compact and analysed.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    from projects.models import Evaluation

    print(
        f"city: {Evaluation.objects.filter(year=YEAR).count()} filings of {YEAR}, "
        f"{Indicator.objects.filter(project__year=YEAR).count()} indicators; "
        f"{Evaluation.objects.count()} filings in all"
    )


if __name__ == "__main__":
    main()
