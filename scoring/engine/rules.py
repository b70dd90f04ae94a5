"""Rule sets as versioned data: a strict loader that names the file and key of every problem."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

from .checkers import (
    boolean,
    choice,
    count,
    decimal_of,
    non_negative,
    percent,
    positive,
    records,
    table_of,
    words,
)
from .monitoring_rules import (
    DEFAULT_MONITORING,
    MONITORING_SPEC,
    MonitoringRules,
    ParameterError,
    check_monitoring,
    read_monitoring,
)
from .numbers import to_units
from .results_rules import DEFAULT_RESULTS, RESULTS_SPEC, ResultsRules, check_results, read_results
from .target_rules import DEFAULT_TARGETS, TARGETS_SPEC, TargetRules, read_targets

RULESETS_DIR = Path(__file__).resolve().parent.parent / "rulesets"
DEFAULT_RULESET_ID = "national-2020"
REVERSE_FORMULAS = ("linear_to_zero_at_double", "ratio", "all_or_nothing")
DENOMINATORS = ("adjusted", "initial")
WEIGHT_FORMS = ("points", "share")
TEXT_FIELDS = ("deviation", "goal", "execution_reason")
# Glossary codes of the level-1 indicators (domain.md §1), for storage and URLs.
LEVEL1_CODES = MappingProxyType(
    {"产出指标": "output", "效益指标": "benefit", "满意度指标": "satisfaction", "成本指标": "cost"}
)
_FILE_NAME = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]*)\.v(?P<version>[1-9]\d*)\.toml$")


class RuleSetError(Exception):
    """A rule-set file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ExecutionTier:
    """A band of execution rates scoring a fixed share of the execution weight."""

    min_rate: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class ExecutionCap:
    """A ceiling on the total while the execution rate lies in [min_rate, below)."""

    min_rate: Decimal
    below: Decimal
    max_total: Decimal


@dataclass(frozen=True, slots=True)
class GradeBand:
    """A grade and the lowest total that earns it."""

    name: str
    code: str
    min: Decimal


@dataclass(frozen=True)
class RuleSet:
    """One published, immutable version of the scoring rules, with each parameter's source."""

    id: str
    version: int
    title: str
    description: str
    execution_weight: Decimal
    execution_denominator: str
    execution_tiers: tuple[ExecutionTier, ...]
    execution_caps: tuple[ExecutionCap, ...]
    execution_reason_below: Decimal
    indicator_weight_total: Decimal
    level1_weights: Mapping[str, Decimal]
    tree: Mapping[str, tuple[str, ...]]
    weight_positive_required: bool
    rescale_inapplicable: bool
    reverse_formula: str
    over_achievement_ratio: Decimal
    over_achievement_deduction: Decimal
    qualitative_bands: Mapping[str, tuple[Decimal, Decimal]]
    text_limits: Mapping[str, int]
    lower_is_better_words: tuple[str, ...]
    higher_is_better_words: tuple[str, ...]
    copy_check_min_indicators: int
    execution_rate_plausible_max: Decimal
    money_unit_slip_factor: Decimal
    grades: tuple[GradeBand, ...]
    sources: Mapping[str, str]
    path: str = ""
    # Parameters added after the first rule sets were published: optional in a file, each
    # defaulting to the behaviour those files were published with (_OPTIONAL_SPEC).
    claimed_rate_fraction: bool = False
    weight_form: str = "points"
    # The first evaluation year this version scores (OpenFisca's dated parameter values): an
    # evaluation of year Y is scored under the latest version in force for Y. None: every year.
    in_force_from: int | None = None
    # The name citizens read (公开名称), e.g. "全国通用（2020年）"; the id never leaves the system.
    public_name: str = ""
    # The mid-year monitoring thresholds ([monitoring]; domain.md §7 where a file has none).
    monitoring: MonitoringRules = DEFAULT_MONITORING
    # The quality checks on targets ([targets]); kept out of repr, hence out of the fingerprint
    # that stored scores' digests name: these parameters never change a score.
    targets: TargetRules = field(default=DEFAULT_TARGETS, repr=False)
    # The 结果应用 suggestion ([results]); out of the fingerprint too: it never changes a score.
    results: ResultsRules = field(default=DEFAULT_RESULTS, repr=False)
    # Per-rule-set memos: facts of a printed target row, and whole row outcomes; both depend
    # only on the printed row and these rules, which never change once published.
    memo: dict = field(default_factory=dict, compare=False, repr=False, hash=False)
    outcomes: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @cached_property
    def key(self) -> str:
        """The identifier stored with every score: id@version."""
        return f"{self.id}@{self.version}"

    @cached_property
    def cost_indicator_required(self) -> bool:
        """Whether a declaration must carry a 成本指标: [targets], else 成本指标 as a level-1."""
        required = self.targets.cost_indicator_required
        return "成本指标" in self.tree if required is None else required

    @cached_property
    def max_total(self) -> Decimal:
        """The most a table can score under these rules: execution plus indicator points."""
        return self.execution_weight + self.indicator_weight_total

    @cached_property
    def public_title(self) -> str:
        """The rule set in words with its version, as public text names it: 全国通用（2020年）第1版."""
        return f"{self.public_name or self.title}第{self.version}版"

    @cached_property
    def fingerprint(self) -> bytes:
        """Every parameter of this rule set, hashed once: what a stored result's digest names."""
        return hashlib.sha256(repr(self).encode()).digest()

    @cached_property
    def heading(self) -> str:
        """The first line of every trace: which rules scored it."""
        return f"评分规则：{self.public_title}"

    @cached_property
    def level1_units(self) -> dict[str, int]:
        """Level-1 weights as exact ints (numbers.to_units), for the per-table comparison."""
        return {name: to_units(weight) for name, weight in self.level1_weights.items()}

    @cached_property
    def weight_total_units(self) -> int:
        """indicators.weight_total as an exact int (numbers.to_units)."""
        return to_units(self.indicator_weight_total)

    @cached_property
    def deviation_limit(self) -> int:
        """Characters allowed in a deviation reason (0: no limit); read for every row."""
        return self.text_limits.get("deviation", 0)

    def grade_for(self, total: Decimal) -> GradeBand:
        """The grade band a total falls into (bands are held highest first)."""
        for band in self.grades:
            if total >= band.min:
                return band
        return self.grades[-1]


def _plausible_max(value: object) -> Decimal:
    number = decimal_of(value)
    if number < 100:
        raise ValueError(f"须不小于 100（执行率不超过 100% 总是合理的）：{value}")
    return number


def _slip_factor(value: object) -> Decimal:
    number = decimal_of(value)
    if not 1 < number < 100:
        # From 100 up, the windows around 10^4 and 10^-4 would reach a rate of 100 %.
        raise ValueError(f"须大于 1 且小于 100：{value}")
    return number


def _tiers(value: object) -> tuple[ExecutionTier, ...]:
    tiers = [
        ExecutionTier(percent(r["min_rate"]), _share(r["share"]))
        for r in records(value, ("min_rate", "share"))
    ]
    return tuple(sorted(tiers, key=lambda t: t.min_rate, reverse=True))


def _share(value: object) -> Decimal:
    number = non_negative(value)
    if number > 1:
        raise ValueError(f"得分比例须在 0 到 1 之间：{value}")
    return number


def _caps(value: object) -> tuple[ExecutionCap, ...]:
    caps = []
    for r in records(value, ("min_rate", "below", "max_total")):
        cap = ExecutionCap(percent(r["min_rate"]), percent(r["below"]), percent(r["max_total"]))
        if cap.min_rate >= cap.below:
            raise ValueError(f"min_rate {cap.min_rate} 须小于 below {cap.below}")
        caps.append(cap)
    return tuple(caps)


def _level1_weights(value: object) -> Mapping[str, Decimal]:
    return MappingProxyType({k: non_negative(v) for k, v in table_of(value).items()})


def _tree(value: object) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({k: words(v) for k, v in table_of(value).items()})


def _bands(value: object) -> Mapping[str, tuple[Decimal, Decimal]]:
    bands = {}
    for key, pair in table_of(value, ("met", "partial", "missed")).items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f"{key} 应为 [下限, 上限]（占分值的百分比）")
        low, high = percent(pair[0]), percent(pair[1])
        if low >= high:
            raise ValueError(f"{key} 的下限 {low} 须小于上限 {high}")
        bands[key] = (low, high)
    return MappingProxyType(bands)


def _limits(value: object) -> Mapping[str, int]:
    return MappingProxyType({k: count(v) for k, v in table_of(value, TEXT_FIELDS).items()})


def _grades(value: object) -> tuple[GradeBand, ...]:
    bands = []
    for r in records(value, ("name", "code", "min")):
        if not isinstance(r["name"], str) or not isinstance(r["code"], str):
            raise ValueError("name 与 code 应为字符串")
        bands.append(GradeBand(r["name"], r["code"], percent(r["min"])))
    bands.sort(key=lambda b: b.min, reverse=True)
    if not bands or bands[-1].min != 0:
        raise ValueError("最低一档的 min 须为 0，使每个总分都有等级")
    return tuple(bands)


# section -> key -> (RuleSet field, checker). Every key is required: a published rule set
# states each parameter and its source explicitly, never by falling back to a default.
_SPEC: dict[str, dict[str, tuple[str, Callable[[object], object]]]] = {
    "execution": {
        # 0: the execution rate earns no points (transfer-payment tables); the indicators then
        # carry the whole 100.
        "weight": ("execution_weight", non_negative),
        "denominator": ("execution_denominator", choice(DENOMINATORS)),
        "tiers": ("execution_tiers", _tiers),
        "caps": ("execution_caps", _caps),
        "reason_required_below": ("execution_reason_below", percent),
    },
    "indicators": {
        "weight_total": ("indicator_weight_total", positive),
        "level1_weights": ("level1_weights", _level1_weights),
        "tree": ("tree", _tree),
        "weight_positive_required": ("weight_positive_required", boolean),
        "rescale_inapplicable": ("rescale_inapplicable", boolean),
    },
    "scoring": {
        "reverse_formula": ("reverse_formula", choice(REVERSE_FORMULAS)),
        "over_achievement_ratio": ("over_achievement_ratio", positive),
        "over_achievement_deduction": ("over_achievement_deduction", non_negative),
        "qualitative_bands": ("qualitative_bands", _bands),
    },
    "checks": {
        "text_limits": ("text_limits", _limits),
        "lower_is_better_words": ("lower_is_better_words", words),
        "higher_is_better_words": ("higher_is_better_words", words),
        "copy_check_min_indicators": ("copy_check_min_indicators", count),
        "execution_rate_plausible_max": ("execution_rate_plausible_max", _plausible_max),
        "money_unit_slip_factor": ("money_unit_slip_factor", _slip_factor),
    },
    "grades": {"bands": ("grades", _grades)},
}
# Keys introduced after publication: optional, with the default every older file means.
_OPTIONAL_SPEC: dict[str, dict[str, tuple[str, Callable[[object], object]]]] = {
    "execution": {"claimed_rate_fraction": ("claimed_rate_fraction", boolean)},
    "indicators": {"weight_form": ("weight_form", choice(WEIGHT_FORMS))},
}
_HEADER = ("id", "version", "title", "description")
_OPTIONAL_HEADER = ("public_name", "in_force_from")


def _spec(section: str) -> dict[str, tuple[str, Callable[[object], object]]]:
    """Every key of a section, required and optional."""
    return {**_SPEC.get(section, {}), **_OPTIONAL_SPEC.get(section, {})}


def _fail(path: Path, key: str, reason: str) -> RuleSetError:
    return RuleSetError(f"规则集文件 {path.name}：键 {key}：{reason}")


def _parse(path: Path, data: dict) -> RuleSet:
    unknown = sorted(
        set(data)
        - set(_HEADER)
        - set(_OPTIONAL_HEADER)
        - set(_SPEC)
        - {"monitoring", "targets", "results"}
    )
    if unknown:
        raise _fail(path, unknown[0], "未知的键")
    values: dict[str, object] = {}
    for key in _HEADER:
        if key not in data:
            raise _fail(path, key, "缺少此键")
    if not isinstance(data["id"], str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", data["id"]):
        raise _fail(path, "id", "应为小写字母、数字和连字符组成的标识")
    if isinstance(data["version"], bool) or not isinstance(data["version"], int):
        raise _fail(path, "version", "应为正整数")
    if data["version"] < 1:
        raise _fail(path, "version", "应为正整数")
    for key in ("title", "description"):
        if not isinstance(data[key], str) or not data[key]:
            raise _fail(path, key, "应为非空字符串")
    public_name = data.get("public_name", "")
    if not isinstance(public_name, str):
        raise _fail(path, "public_name", "应为字符串")
    in_force_from = data.get("in_force_from")
    if in_force_from is not None and (
        isinstance(in_force_from, bool)
        or not isinstance(in_force_from, int)
        or not 2000 <= in_force_from <= 2100
    ):
        raise _fail(path, "in_force_from", "应为 2000 到 2100 之间的年度")
    sources: dict[str, str] = {}
    for section in _SPEC:
        table = data.get(section)
        if not isinstance(table, dict):
            raise _fail(path, section, "缺少此节或不是表")
        unknown = sorted(set(table) - set(_spec(section)))
        if unknown:
            raise _fail(path, f"{section}.{unknown[0]}", "未知的键")
        for key, (attr, check) in _spec(section).items():
            dotted = f"{section}.{key}"
            param = table.get(key)
            if param is None:
                if key in _OPTIONAL_SPEC.get(section, {}):
                    continue
                raise _fail(path, dotted, "缺少此键")
            if not isinstance(param, dict) or set(param) != {"value", "source"}:
                raise _fail(path, dotted, '应写作 { value = …, source = "政策依据" }')
            if not isinstance(param["source"], str) or not param["source"].strip():
                raise _fail(path, dotted, "source（政策依据）不能为空")
            try:
                values[attr] = check(param["value"])
            except ValueError as exc:
                raise _fail(path, f"{dotted}.value", str(exc)) from None
            sources[dotted] = param["source"]
    try:
        values["monitoring"] = read_monitoring(data.get("monitoring"), sources)
        values["targets"] = read_targets(data.get("targets"), sources)
        values["results"] = read_results(data.get("results"), sources)
    except ParameterError as exc:
        raise _fail(path, exc.key, exc.reason) from None
    rules = RuleSet(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        description=data["description"],
        public_name=public_name,
        in_force_from=in_force_from,
        sources=MappingProxyType(sources),
        path=str(path),
        **values,
    )
    _check_consistency(path, rules)
    return rules


def override_ruleset(rules: RuleSet, changes: Mapping[str, object]) -> RuleSet:
    """A checked what-if copy with some parameters changed, under an id never mistaken for it."""
    path = Path(rules.path or f"{rules.id}.v{rules.version}.toml")
    values: dict[str, object] = {}
    monitoring: dict[str, object] = {}
    targets: dict[str, object] = {}
    results: dict[str, object] = {}
    for dotted, value in changes.items():
        section, _, key = dotted.partition(".")
        if section == "results" and key in RESULTS_SPEC:
            attr, check, _source = RESULTS_SPEC[key]
            try:
                results[attr] = check(value)
            except ValueError as exc:
                raise _fail(path, f"{dotted}.value", str(exc)) from None
            continue
        if section == "targets" and key in TARGETS_SPEC:
            attr, check, _source = TARGETS_SPEC[key]
            try:
                targets[attr] = check(value)
            except ValueError as exc:
                raise _fail(path, f"{dotted}.value", str(exc)) from None
            continue
        if section == "monitoring" and key in MONITORING_SPEC:
            attr, check, _source = MONITORING_SPEC[key]
            try:
                monitoring[attr] = check(value)
            except ValueError as exc:
                raise _fail(path, f"{dotted}.value", str(exc)) from None
            continue
        if key not in _spec(section):
            raise _fail(path, dotted, "未知的键")
        attr, check = _spec(section)[key]
        try:
            values[attr] = check(value)
        except ValueError as exc:
            raise _fail(path, f"{dotted}.value", str(exc)) from None
    if monitoring:
        values["monitoring"] = dataclasses.replace(rules.monitoring, **monitoring)
        try:
            check_monitoring(values["monitoring"])
        except ParameterError as exc:
            raise _fail(path, exc.key, exc.reason) from None
    if targets:
        values["targets"] = dataclasses.replace(rules.targets, **targets)
    if results:
        values["results"] = dataclasses.replace(rules.results, **results)
        try:
            check_results(values["results"])
        except ParameterError as exc:
            raise _fail(path, exc.key, exc.reason) from None
    changed = dataclasses.replace(
        rules, id=f"{rules.id}+changed", path="", memo={}, outcomes={}, **values
    )
    _check_consistency(path, changed)
    return changed


def _check_consistency(path: Path, rules: RuleSet) -> None:
    if rules.execution_weight + rules.indicator_weight_total != 100:
        raise _fail(path, "indicators.weight_total", "与 execution.weight 之和须为 100")
    if set(rules.level1_weights) != set(rules.tree):
        raise _fail(path, "indicators.level1_weights", "一级指标须与 indicators.tree 一致")
    if sum(rules.level1_weights.values()) != rules.indicator_weight_total:
        raise _fail(path, "indicators.level1_weights", "之和须等于 indicators.weight_total")
    match = _FILE_NAME.match(path.name) if rules.path else None
    if match and (match["id"] != rules.id or int(match["version"]) != rules.version):
        raise _fail(path, "id", f"与文件名不符（应为 {rules.id}.v{rules.version}.toml）")


@lru_cache(maxsize=64)
def _load_file(path: Path) -> RuleSet:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise RuleSetError(f"规则集文件 {path} 不存在") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"规则集文件 {path.name}：TOML 格式错误：{exc}") from None
    return _parse(path, data)


def _catalogue() -> dict[tuple[str, int], Path]:
    found = {}
    for path in sorted(RULESETS_DIR.glob("*.toml")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise RuleSetError(f"规则集文件 {path.name}：文件名应为 <id>.v<版本>.toml")
        found[(match["id"], int(match["version"]))] = path
    return found


def load_ruleset(id_or_path: str | Path = DEFAULT_RULESET_ID) -> RuleSet:
    """Load a rule set by id (latest version), id@version, or file path; errors name file and key."""
    text = str(id_or_path)
    if isinstance(id_or_path, Path) or text.endswith(".toml") or "/" in text:
        return _load_file(Path(text).resolve())
    wanted_id, _, wanted_version = text.partition("@")
    catalogue = _catalogue()
    versions = sorted(v for (i, v) in catalogue if i == wanted_id)
    if not versions:
        known = "、".join(sorted({i for i, _ in catalogue}))
        raise RuleSetError(f"未知的规则集「{text}」（可用：{known}）")
    if wanted_version:
        if not wanted_version.isdigit() or int(wanted_version) not in versions:
            raise RuleSetError(f"规则集 {wanted_id} 没有版本「{wanted_version}」")
        return _load_file(catalogue[(wanted_id, int(wanted_version))])
    return _load_file(catalogue[(wanted_id, versions[-1])])


def ruleset_in_force(id_or_key: str, year: int | None) -> RuleSet:
    """The version of a rule set in force for an evaluation year, as OpenFisca resolves a
    parameter by period: the latest version whose in_force_from is not after the year.

    A pinned "id@version" or a file path is taken as given; year None takes the latest version.
    A version without in_force_from is in force from the start, so publishing a version dated
    2025 never moves an evaluation of 2024.
    """
    text = str(id_or_key)
    if year is None or "@" in text or text.endswith(".toml") or "/" in text:
        return load_ruleset(text)
    return _in_force(text, year)


@lru_cache(maxsize=256)
def _in_force(rule_set_id: str, year: int) -> RuleSet:
    catalogue = _catalogue()
    versions = sorted(v for (i, v) in catalogue if i == rule_set_id)
    if not versions:
        return load_ruleset(rule_set_id)  # raises, naming the known rule sets
    chosen = None
    for version in versions:
        rules = _load_file(catalogue[(rule_set_id, version)])
        if rules.in_force_from is None or rules.in_force_from <= year:
            chosen = rules
    if chosen is None:
        raise RuleSetError(f"规则集 {rule_set_id} 没有适用于 {year} 年度的版本")
    return chosen


def list_rulesets() -> list[RuleSet]:
    """Every shipped rule set version, ordered by id and version, for pickers and the CLI."""
    return [_load_file(path) for _, path in sorted(_catalogue().items())]


def latest_rulesets() -> dict[str, RuleSet]:
    """The latest version of each published rule set, by id: what a region may be set to."""
    return {rules.id: rules for rules in list_rulesets()}
