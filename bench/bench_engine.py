"""Benchmark of the pure scoring engine: indicators scored per second on one core.

Builds two synthetic batches (10,000 evaluations × 20 indicators by default) with realistic target
strings — ≥/≤/=/ranges/deadlines/qualitative, with units, full-width and worded notations — and
actuals that vary around their targets (75 % met, 20 % missed, 5 % far above, one money actual in
ten written in 元 against a 万元 target), in tables laid out as the national rules ask (产出 50 /
效益 30 / 满意度 10), scores each cold in one process and prints the rate, the share of rows
scored afresh, the time, the machine and its load.

- repeated: 23 row templates and a dozen round numbers, so most printed rows recur and the
  engine's row memo answers them (about a quarter are scored afresh: a row is memoised the
  second time it is seen);
- distinct: what a real region files — every row's name is its own (a place, a project subject
  and an indicator), targets are drawn from wide ranges with decimals, actuals, weights and
  claimed scores vary, so (almost) every row is scored afresh.

The bar is 100,000 indicators per second of CPU time on one core, on the distinct batch: the
repeated figure only shows what the memo saves.

    .venv/bin/python bench/bench_engine.py [--evaluations 10000] [--indicators 20] [--repeat 3]
        [--batch both|repeated|distinct]
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import platform
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.machine import machine  # noqa: E402 - the repo root must be importable first
from scoring.engine import (  # noqa: E402
    EvaluationInput,
    FundLine,
    IndicatorInput,
    execution,
    findings,
    indicators,
    load_ruleset,
    numbers,
    score,
    score_evaluation,
    targets,
)

BAR = 100_000
# (一级, 二级, name, target template, actual kind); {n} is a number drawn per template.
ROWS = [
    ("产出指标", "数量指标", "培训场次", "≥{n}次", "count"),
    ("产出指标", "数量指标", "走访企业数量", "≥{n}家", "count"),
    ("产出指标", "数量指标", "新增就业岗位", "不少于{n}个", "count"),
    ("产出指标", "数量指标", "整治面积", "{n}亩", "count"),
    ("产出指标", "数量指标", "服务人次", "≧{n}人次", "count"),
    ("产出指标", "质量指标", "验收合格率", "=100%", "percent"),
    ("产出指标", "质量指标", "资金使用合规率", "100%", "percent"),
    ("产出指标", "质量指标", "设备完好率", "≥{p}%", "percent"),
    ("产出指标", "质量指标", "差错率", "<{s}%", "small"),
    ("产出指标", "质量指标", "达标率", "{p}%-100%", "percent"),
    ("产出指标", "时效指标", "按时完成率", "≥{p}%", "percent"),
    ("产出指标", "时效指标", "完成时间", "{m}月底前", "date"),
    ("产出指标", "时效指标", "资金拨付时间", "2023年{m}月", "date"),
    ("产出指标", "成本指标", "项目成本", "≤{n}万元", "money"),
    ("产出指标", "成本指标", "人均补助标准", "≤{n}元/人·月", "count"),
    ("产出指标", "成本指标", "预算控制数", "控制在{n}万元以内", "money"),
    ("效益指标", "经济效益指标", "带动投资", "≥{n}万元", "money"),
    ("效益指标", "社会效益指标", "群众获得感", "有效提升", "words"),
    ("效益指标", "社会效益指标", "保障单位正常运转", "达到预期", "words"),
    ("效益指标", "生态效益指标", "空气优良天数比例", "≥{p}%", "percent"),
    ("效益指标", "可持续影响指标", "长效机制", "逐步健全", "words"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥{p}%", "percent"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "不低于{p}％", "percent"),
]
WORDS = ["达成", "达到预期", "有效提升", "部分达成", "基本达成", "未达成", "逐步健全"]


def _target(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.choice([5, 10, 20, 30, 50, 100, 160, 220, 300, 600, 1600, 20000]),
        p=rng.choice([80, 85, 90, 95, 98]),
        s=rng.choice([1, 2, 5]),
        m=rng.choice([6, 9, 10, 11, 12]),
    )


def _actual(target: str, kind: str, rng: random.Random, fine: bool = False) -> str:
    parsed = targets.parse_target(target)
    if kind == "words":
        return rng.choices(WORDS, weights=[4, 4, 4, 1, 1, 1, 2])[0]
    if kind == "date":
        return rng.choice([f"{rng.randint(5, 12)}月", "按时完成", f"2023年{rng.randint(5, 12)}月"])
    # As in the seeds, most rows meet their target, some miss it, a few overshoot by 30 %+.
    outcome = rng.choices(["met", "missed", "far"], weights=[75, 20, 5])[0]
    if parsed.kind == targets.RANGE:
        low, high = int(parsed.low), int(parsed.high)  # whole percents, even from 92.5%
        value = Decimal(rng.randint(low, high) if outcome == "met" else rng.randint(60, low))
    else:
        percent = {"met": (100, 125), "missed": (60, 99), "far": (130, 160)}[outcome]
        if parsed.comparator in targets.LOWER_IS_BETTER:
            percent = {"met": (80, 100), "missed": (101, 150), "far": (80, 100)}[outcome]
        factor = Decimal(rng.randint(*percent)) / 100
        if fine:  # the distinct batch: actuals as varied as measured figures are
            factor += Decimal(rng.randint(0, 99)) / 10000
        value = parsed.value * factor
    value = value.quantize(Decimal(1) if kind == "count" else Decimal("0.01"))
    unit = parsed.unit_of_measure or ""
    if kind == "money" and rng.random() < 0.1:  # a tenth write 元 against a 万元 target
        return f"{value * 10000:f}元"
    return f"{value:f}{unit}"


def _split(total: int, count: int) -> list[str]:
    """Weights of `count` rows sharing `total` points, in cents, adding up exactly."""
    cents = [total * 100 // count] * count
    cents[0] += total * 100 - sum(cents)
    return [str(Decimal(c) / 100) for c in cents]


def build_batch(evaluations: int, per_evaluation: int, seed: int = 2023) -> list[EvaluationInput]:
    """A reproducible synthetic batch in the national layout: 产出 50 / 效益 30 / 满意度 10."""
    rng = random.Random(seed)
    by_level1 = {
        level1: [r for r in ROWS if r[0] == level1]
        for level1 in ("产出指标", "效益指标", "满意度指标")
    }
    outputs, benefits = per_evaluation // 2, per_evaluation * 3 // 10
    plan = (
        [("产出指标", w) for w in _split(50, outputs)]
        + [("效益指标", w) for w in _split(30, benefits)]
        + [("满意度指标", w) for w in _split(10, per_evaluation - outputs - benefits)]
    )
    batch = []
    for _ in range(evaluations):
        rows = []
        for level1, weight in plan:
            _, level2, name, template, kind = rng.choice(by_level1[level1])
            target = _target(template, rng)
            actual = _actual(target, kind, rng)
            # As the filing form records it: 达成 / 部分达成 / 未达成 picked for worded targets.
            achievement = targets.achievement_from_text(actual, target)
            rows.append(
                IndicatorInput(
                    level1=level1,
                    level2=level2,
                    name=name,
                    target=target,
                    actual=actual,
                    weight=weight,
                    claimed_score=weight if rng.random() < 0.8 else None,
                    deviation="部分任务顺延" if rng.random() < 0.5 else None,
                    achievement=achievement if kind == "words" else None,
                )
            )
        budget = Decimal(rng.randint(100_000, 20_000_000))
        executed = (budget * Decimal(rng.randint(40, 105)) / 100).quantize(Decimal(1))
        batch.append(
            EvaluationInput(
                funds=(FundLine("total", budget, budget, executed),),
                indicators=tuple(rows),
                execution_weight=Decimal(10),
                claimed_rate=(executed * 100 / budget).quantize(Decimal("0.01")),
            )
        )
    return batch


# --- The distinct batch: names and numbers as varied as a real region's filings.

# Towns and streets, project subjects: with the indicator they make a row's name, as filers write
# it ("城关镇高标准农田建设新增就业岗位"). 64 × 48 × 23 names, drawn without repeats.
PLACES = """城关镇 新华街道 东城街道 西城街道 南关街道 北苑街道 河西街道 站前街道 朝阳镇 红旗镇 建设镇 胜利镇 团结镇
和平乡 太平镇 永安镇 长兴镇 兴隆镇 青山镇 白沙镇 石桥镇 柳河镇 杨柳乡 梨树乡 桃园镇 花园乡
金山镇 银川乡 双河镇 三合乡 四方镇 五里镇 六合镇 七星乡 八里铺镇 九龙镇 十里河镇 黄土镇 龙泉镇
凤凰镇 清水镇 大河乡 小河镇 高桥镇 新村乡 旧县镇 官庄镇 马坊镇 牛栏山镇 羊坊乡 古城镇 新城镇
东湖街道 西湖街道 南湖乡 北湖镇 江口镇 河口乡 山前镇 山后乡 沙河镇 草原乡 林场街道 开发区""".split()  # noqa: SIM905 - a word list
SUBJECTS = """高标准农田建设 农村公路养护 义务教育薄弱环节改善 城乡居民医保 就业创业扶持 乡村振兴衔接 农村饮水安全
污水管网改造 老旧小区改造 公共文化服务 全民健身设施 学前教育资助 职业技能培训 残疾人康复
养老服务补贴 退役军人优抚 防汛抗旱 森林防火 河道整治 垃圾分类处理 畜禽粪污治理
耕地地力保护 动物防疫 食品安全抽检 市场监管执法 安全生产监管 应急物资储备 基层党建
政务服务改革 智慧城市建设 招商引资 中小企业发展 科技创新券 人才引进 公立医院改革
基本公共卫生服务 疾病预防控制 妇幼保健 社区矫正 法律援助 消防救援 城市照明维护
园林绿化养护 道路交通安全 农业保险保费补贴 种业振兴 农机购置补贴 水土保持""".split()  # noqa: SIM905 - a word list
# Appended when a drawn name is already taken, as a project's phases are named.
VARIANTS = ("（一期）", "（二期）", "（三期）", "（续建）", "（新建）", "（提标）")


def _number(rng: random.Random, low: int, high: int) -> Decimal:
    """A figure between low and high, spread over orders of magnitude, with 0–2 decimals."""
    whole = int(low * (high / low) ** rng.random())
    places = rng.choices((0, 1, 2), weights=(5, 3, 2))[0]
    fraction = rng.randrange(10**places) if places else 0
    return Decimal(whole) + Decimal(fraction).scaleb(-places)


def _distinct_target(template: str, rng: random.Random) -> str:
    """A template's target with figures drawn from wide ranges, decimals included."""
    return template.format(
        n=_number(rng, 1, 50_000),
        p=Decimal(rng.randint(600, 999)).scaleb(-1),
        s=Decimal(rng.randint(1, 50)).scaleb(-1),
        m=rng.randint(1, 12),
    )


def _distinct_name(name: str, used: set[str], rng: random.Random) -> str:
    """A row name no other row of the batch has: place, subject, indicator, maybe a variant."""
    candidate = f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{name}"
    for variant in ("", *VARIANTS):
        if candidate + variant not in used:
            used.add(candidate + variant)
            return candidate + variant
    suffix = 2
    while f"{candidate}（{suffix}）" in used:
        suffix += 1
    used.add(f"{candidate}（{suffix}）")
    return f"{candidate}（{suffix}）"


def _random_split(total: int, count: int, rng: random.Random) -> list[str]:
    """Weights of `count` rows sharing `total` points, in half points of at least one point."""
    halves = [2] * count
    for _ in range(total * 2 - 2 * count):
        halves[rng.randrange(count)] += 1
    return [str(Decimal(h) / 2) for h in halves]


def build_distinct_batch(
    evaluations: int, per_evaluation: int, seed: int = 2024
) -> list[EvaluationInput]:
    """A reproducible batch as varied as a region: no row name repeats, figures vary widely."""
    rng = random.Random(seed)
    by_level1 = {
        level1: [r for r in ROWS if r[0] == level1]
        for level1 in ("产出指标", "效益指标", "满意度指标")
    }
    outputs, benefits = per_evaluation // 2, per_evaluation * 3 // 10
    counts = (("产出指标", 50, outputs), ("效益指标", 30, benefits))
    counts += (("满意度指标", 10, per_evaluation - outputs - benefits),)
    deviations = (
        "部分任务顺延",
        "受疫情影响，部分培训改为线上",
        "资金到位较晚",
        "设备采购流标后重新招标",
    )
    used: set[str] = set()
    batch = []
    for _ in range(evaluations):
        plan = [(level1, w) for level1, total, n in counts for w in _random_split(total, n, rng)]
        rows = []
        for level1, weight in plan:
            _, level2, name, template, kind = rng.choice(by_level1[level1])
            target = _distinct_target(template, rng)
            if kind == "percent" and rng.random() < 0.1:
                name += "（%）"  # a unit folded into the name, as some tables print it
            actual = _actual(target, kind, rng, fine=True)
            achievement = targets.achievement_from_text(actual, target)
            claimed = weight
            if rng.random() < 0.2:
                claimed = str(
                    (Decimal(weight) * rng.randint(50, 100) / 100).quantize(Decimal("0.01"))
                )
            rows.append(
                IndicatorInput(
                    level1=level1,
                    level2=level2,
                    name=_distinct_name(name, used, rng),
                    target=target,
                    actual=actual,
                    weight=weight,
                    claimed_score=claimed if rng.random() < 0.9 else None,
                    deviation=rng.choice(deviations) if rng.random() < 0.5 else None,
                    achievement=achievement if kind == "words" else None,
                )
            )
        budget = Decimal(rng.randint(100_000, 20_000_000))
        executed = (budget * Decimal(rng.randint(4000, 10500)) / 10000).quantize(Decimal("0.01"))
        batch.append(
            EvaluationInput(
                funds=(FundLine("total", budget, budget, executed),),
                indicators=tuple(rows),
                execution_weight=Decimal(10),
                claimed_rate=(executed * 100 / budget).quantize(Decimal("0.01")),
            )
        )
    return batch


def _clear_caches(rules) -> None:
    """Empty every memo and cache of the engine: parsing is part of the work measured.

    Caches are its lru_caches and whatever else offers cache_clear() (the target readings).
    """
    for module in (targets, indicators, numbers, score, execution, findings):
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper) or callable(
                getattr(value, "cache_clear", None)
            ):
                value.cache_clear()
    rules.memo.clear()
    rules.outcomes.clear()


def _score_cold(batch: list[EvaluationInput], rules) -> tuple[float, float]:
    """Score the whole batch from cold caches; returns (CPU seconds, wall seconds)."""
    _clear_caches(rules)
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    for inp in batch:
        score_evaluation(inp, rules)
    return time.process_time() - start_cpu, time.perf_counter() - start


def _scored_afresh(batch: list[EvaluationInput], rules) -> int:
    """Rows the engine scored rather than took from its row memo, in one more cold run, untimed."""
    calls = 0
    original = indicators._outcome

    def counted(*args):
        nonlocal calls
        calls += 1
        return original(*args)

    _clear_caches(rules)
    indicators._outcome = counted
    try:
        for inp in batch:
            score_evaluation(inp, rules)
    finally:
        indicators._outcome = original
    return calls


def _report(label: str, batch: list[EvaluationInput], per_evaluation: int, repeat: int, rules):
    """Score one batch cold `repeat` times and print its figures; returns the best rate."""
    runs = sorted(_score_cold(batch, rules) for _ in range(max(repeat, 1)))
    count = len(batch) * per_evaluation
    # As timeit does, the best run is the figure: slower runs measure the other tenants of a
    # shared machine, not the engine. The median and worst are printed beside it.
    cpu, wall = runs[0]
    median, worst = runs[len(runs) // 2][0], runs[-1][0]
    rate = count / cpu
    fresh = _scored_afresh(batch, rules)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"[{label}]")
    print(f"  evaluations:   {len(batch):,} × {per_evaluation} indicators = {count:,}")
    print(f"  runs:          {len(runs)}, each from cold caches, on one core")
    print(f"  time (best):   {cpu:.2f} s CPU, {wall:.2f} s wall")
    print(f"  throughput:    {rate:,.0f} indicators/s (best)")
    print(f"                 median {count / median:,.0f}/s, worst {count / worst:,.0f}/s")
    print(f"                 {len(batch) / cpu:,.0f} evaluations/s")
    print(f"  scored afresh: {fresh:,} of {count:,} rows ({fresh / count:.0%})")
    print(f"  load average:  {load} (1, 5, 15 min, after the runs)")
    return rate


def main() -> int:
    """Build the batches, score each cold a few times, print the figures and the machine."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=10_000)
    parser.add_argument("--indicators", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", choices=("both", "repeated", "distinct"), default="both")
    args = parser.parse_args()
    print(f"machine:         {machine(platform.platform(), platform.python_implementation())}")
    rules = load_ruleset()
    print(f"rule set:        {rules.key}")
    builders = {"repeated": build_batch, "distinct": build_distinct_batch}
    rates = {}
    for label, build in builders.items():
        if args.batch not in ("both", label):
            continue
        batch = build(args.evaluations, args.indicators)
        # The batch stands for rows read from the database chunk by chunk; held all at once,
        # its 200,000 inputs would only make the collector rescan them, so they are frozen.
        gc.collect()
        gc.freeze()
        rates[label] = _report(label, batch, args.indicators, args.repeat, rules)
        del batch
        gc.unfreeze()
        gc.collect()
    if "distinct" in rates:
        verdict = "met" if rates["distinct"] >= BAR else "NOT met"
        print(f"bar:             {BAR:,} indicators/s on distinct rows: {verdict}")
    else:
        print(f"bar:             {BAR:,} indicators/s is judged on distinct rows (not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
