"""The catalogue of finding codes (domain.md §6): one severity and one Chinese message each."""

from __future__ import annotations

from .model import Finding, new_finding

# code: (severity, message template). Codes are stable identifiers stored with every result.
CATALOGUE: dict[str, tuple[str, str]] = {
    "weights_not_90": ("error", "指标分值合计为 {total} 分，应为 {expected} 分"),
    "actual_missing": ("error", "{row}未填写实际完成值"),
    "deviation_missing": ("error", "{row}{why}，须填写偏差原因分析及改进措施"),
    "executed_above_budget": (
        "error",
        "全年执行数 {executed} 超过全年预算数 {budget}（执行率 {rate}%），执行率得分按满分封顶",
    ),
    "fund_rows_not_summing": (
        "error",
        "年度资金总额与其中各来源资金之和不一致：{details}；执行率按来源资金之和计算",
    ),
    "claimed_score_above_computed": (
        "warning",
        "{row}自评得分 {claimed} 高于按规则计算的 {computed}",
    ),
    "claimed_total_mismatch": ("warning", "{what}"),
    "claimed_rate_mismatch": ("warning", "填报的执行率 {claimed}% 与计算结果 {computed}% 不一致"),
    "target_unparsed": ("warning", "{row}年度指标值「{target}」{why}，按定性指标处理"),
    "actual_equals_strict_bound": (
        "warning",
        "{row}目标为「{target}」（不含边界值），实际完成值 {actual} 恰为边界值，未达成目标",
    ),
    "exceeded_far": (
        "warning",
        "{row}实际完成值达到目标的 {percent}%（不低于 {ratio}%），超额较多，须说明原因",
    ),
    "unit_mismatch": (
        "warning",
        "{row}实际完成值「{actual}」与年度指标值「{target}」的度量单位不一致，按数值直接比较",
    ),
    "level_mismatch": ("warning", "{row}{why}"),
    "direction_suspect": (
        "info",
        "{row}指标名称「{name}」通常{expected}，而年度指标值「{target}」的方向相反，请核对",
    ),
    "actuals_copy_targets": (
        "info",
        "全部 {count} 项定量指标的实际完成值都恰好等于目标值，疑似照抄目标而非实际测量",
    ),
    "total_capped": ("info", "预算执行率 {rate}% 低于 {below}%，总分由 {before} 封顶为 {after}"),
    "actual_not_a_value": (
        "info",
        "{row}实际完成值「{actual}」不是单一数值，取其中的数值 {value} 计分",
    ),
    "unit_assumed": ("info", "{row}实际完成值「{actual}」未写度量单位，按目标单位「{unit}」理解"),
    # Codes beyond domain.md §6, for rule-set parameters and inputs the engine cannot score.
    # An error for the finance bureau, which alone corrects targets: the row is not scored and
    # its claimed score is not taken until the target reads as a quantity or as words.
    "target_unreadable": (
        "error",
        "{row}年度指标值「{target}」含有数值但无法识别，须由财政部门更正年度指标值；"
        "更正前本行不计分，自评得分不予采信",
    ),
    "previous_actual_missing": (
        "warning",
        "{row}年度指标值「{target}」以上年实际完成值为基准，{why}，本行暂不计分",
    ),
    "fraction_as_percent": (
        "warning",
        "{row}实际完成值「{actual}」按小数理解为 {value}%（年度指标值「{target}」为百分数），请核对",
    ),
    "actual_unparsed": (
        "warning",
        "{row}实际完成值「{actual}」无法按年度指标值「{target}」读取，计 0 分",
    ),
    "weight_invalid": ("error", "{row}分值「{weight}」{why}"),
    # The year-end link to mid-year monitoring (scoring/engine/yearend.py).
    "actual_below_midyear": (
        "warning",
        "{row}实际完成值「{actual}」低于年中监控时已报的完成值「{midyear}」（{value}），请核对",
    ),
    "red_light_undecided": (
        "warning",
        "年中绩效监控亮红灯的{items}尚无处理决定，请主管部门或财政局跟进",
    ),
    "budget_missing": ("error", "缺少{column}，无法计算预算执行率，执行率得分计 0 分"),
    "execution_reason_missing": (
        "error",
        "预算执行率 {rate}% 低于 {threshold}%，须说明执行率偏低的原因",
    ),
    "execution_weight_mismatch": (
        "warning",
        "表中执行率分值为 {claimed}，规则集规定为 {expected}，按规则集计分",
    ),
    # Plausibility of the amounts (checks.execution_rate_plausible_max, money_unit_slip_factor).
    "execution_rate_implausible": (
        "error",
        "预算执行率 {rate}% 超过 {limit}%，不合常理：请核对全年执行数 {executed}"
        "与{budget_label} {budget}，以及金额单位（元/万元）是否填错",
    ),
    "money_unit_slip_suspected": (
        "error",
        "疑似元/万元单位错误：全年执行数约为{budget_label}的{times}（全年执行数 {executed}，"
        "{budget_label} {budget}，执行率 {rate}%），请核对两者是否按同一金额单位（元/万元）填写",
    ),
    "claimed_grade_mismatch": (
        "warning",
        "自评总分 {total} 对应等级「{expected}」，表中填写「{claimed}」",
    ),
    "level1_weights_differ": ("info", "一级指标分值与规则集不同：{details}"),
    "indicator_inapplicable": ("info", "{row}标为不适用，不计分{rescale}"),
    "text_too_long": ("warning", "{row}{what}共 {length} 字，超过 {limit} 字的限制"),
    # An error: without the filer's 达成/部分达成/未达成 the row has no score band at all, and
    # the application's claim follows the computed 0, so submission must wait for the choice.
    "achievement_missing": (
        "error",
        "{row}为定性指标，未选择完成程度（达成/部分达成/未达成）且未填自评得分，计 0 分；"
        "请在“完成程度”中选择",
    ),
    # Rule sets by template (issue 13 item 3): a total above the rules' maximum is an error and
    # is given no grade, however high it is.
    "total_above_maximum": (
        "error",
        "总分 {total} 超过评分规则“{rules}”的满分 {maximum} 分（{why}），不评定等级；"
        "请核对各指标分值或改用与表格式相符的评分规则",
    ),
}


def finding(code: str, indicator: int | None = None, /, **values: object) -> Finding:
    """Build a finding from the catalogue so codes, severities and wording never drift apart."""
    severity, template = CATALOGUE[code]
    return new_finding(code, severity, template.format(**values), indicator)


_ORDINALS = tuple(f"第{n}项指标「" for n in range(1, 201))  # formatting the number costs more


# Row messages all begin with the row's label: their templates without it, formatted per row.
_ROW_TAILS = {
    code: (severity, template.removeprefix("{row}"))
    for code, (severity, template) in CATALOGUE.items()
    if template.startswith("{row}") and template.count("{row}") == 1
}


def row_note(code: str, values: dict) -> tuple[str, str, str]:
    """A row's finding before its position is known: code, severity, message after the label."""
    found = _ROW_TAILS.get(code)
    if found is None:
        severity, template = CATALOGUE[code]
        return code, severity, template.format(row="", **values)
    severity, tail = found
    return code, severity, tail.format_map(values)  # no keyword arguments to repack


def place_notes(notes: tuple, index: int, label: str) -> tuple[Finding, ...]:
    """Turn a row's notes into findings at its position in the table."""
    return tuple(
        [new_finding(code, severity, label + tail, index) for code, severity, tail in notes]
    )


def row_label(index: int, name: str) -> str:
    """Name a row the way a filer reads the table: 1-based, with its 三级指标."""
    if index < 200:
        return _ORDINALS[index] + name + "」"
    return f"第{index + 1}项指标「{name}」"
