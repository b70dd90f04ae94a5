"""The 自评表 workbook: one sheet per evaluation, laid out as the printed form.

The sheet copies the PDF (templates/reports/documents/_evaluation_table.html): title and 年度
merged across, the name blocks, the 项目资金 block under its vertical label, 年度总体目标 with
its two texts, the indicator table with 一级 and 二级 merged down their rows, the 总分 block.
Figures are written as the PDF prints them, rounded half-up once (projects.formatting): a cell
holds 57.99, not 57.9948, and its format shows the same two places.

The same sheet is uploaded back (projects.upload.workbook reads it by its labels and headers):
the 项目编码 row names the project by its code, three columns right of the printed area carry
what the form does not print but the upload needs — the filer's own score, the 完成程度 of a
qualitative row, and the row's 指标序号 (its position, never a database id). The upload takes an
amount equal to the stored one as printed for the stored one, so the rounding changes nothing.
A total filed without its sources is shown in 当年财政拨款, as the upload template shows it.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from projects.formatting import fmt_amount, fmt_percent, fmt_score, round2
from projects.upload import template as upload_template
from projects.upload import workbook as upload
from reports.excel.common import (
    AMOUNT,
    BOLD,
    CENTER,
    HEAD_FILL,
    PERCENT,
    SCORE,
    TEXT,
    fraction,
    merge,
    put,
    set_up_page,
    stamp_lines,
    title,
    to_bytes,
)

STATUS_FONT = Font(bold=True, color="C00000")
TITLE_FONT = Font(bold=True, size=16)
NOTE = Alignment(horizontal="left", vertical="top", wrap_text=True)
# Widths of the printed columns by what they hold (characters; CJK count double).
WIDTHS = {
    "label": 7,
    "level1": 11,
    "level2": 13,
    "name": 22,
    "target": 14,
    "comparator": 8,
    "target_value": 10,
    "unit_of_measure": 8,
    "midyear_actual": 12,
    "actual": 14,
    "weight": 8,
    "score": 9,
    "deviation": 34,
}
AMOUNT_WIDTH = 14  # the 项目资金 amounts sit in the 2nd–4th columns after the row labels
MACHINE_COLUMNS = (
    ("自评得分（填报）", "claimed_score", 12),
    ("完成程度（定性指标）", "achievement", 12),
    (upload.SEQ_LABEL, "seq", 10),
)


def _indicator_columns(table) -> list[tuple[str, str]]:
    """The printed indicator columns after the 绩效指标 label, as the PDF orders them."""
    columns = [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name")]
    if table.three_columns:
        columns += [
            ("指标性质", "comparator"),
            ("指标值", "target_value"),
            ("度量单位", "unit_of_measure"),
        ]
    else:
        columns.append(("年度指标值", "target"))
    if table.has_midyear:
        columns.append(("年中监控值", "midyear_actual"))
    columns += [
        ("实际完成值", "actual"),
        ("分值", "weight"),
        ("得分", "score"),
        ("偏差原因分析及改进措施", "deviation"),
    ]
    return columns


def _merge(sheet, row: int, first: int, last: int, value, *, bottom: int | None = None, **style):
    """A bordered block from (row, first) to (bottom or row, last) holding one value."""
    bottom = bottom or row
    cell = put(sheet, row, first, value, **style)
    if last > first or bottom > row:
        merge(sheet, row, first, bottom, last)
    return cell


def _weight(value: Decimal | None):
    return "—" if value is None else value


def _score(value: Decimal | None):
    return None if value is None else round2(value)


def _rate(value: Decimal | None):
    return fraction(None if value is None else round2(value))


class _Layout:
    """The sheet's column plan: the printed width and where each part sits."""

    def __init__(self, table):
        self.columns = _indicator_columns(table)
        self.width = 1 + len(self.columns)  # the 绩效指标 label column, then the indicators
        self.index = {attr: 2 + i for i, (_, attr) in enumerate(self.columns)}
        self.machine = {attr: self.width + 1 + i for i, (_, attr, _) in enumerate(MACHINE_COLUMNS)}


def write_table_sheet(sheet, table) -> None:
    """Lay one 自评表 context out on `sheet` as the printed form."""
    plan = _Layout(table)
    width = plan.width
    status, footer = stamp_lines(table.stamp)

    draft = table.stamp is not None and not table.stamp.is_final
    title(sheet, 1, table.title, width, font=TITLE_FONT)
    sheet.row_dimensions[1].height = 28
    title(sheet, 2, table.year_label, width, font=BOLD)
    # The document's standing, under its title: a draft's workbook says so on its face.
    title(sheet, 3, status, width, font=STATUS_FONT if draft else Font(size=9))
    row = _names(sheet, table, width, 4)
    row = _funds(sheet, table, width, row)
    row = _goal(sheet, table, width, row)
    header, row = _indicators(sheet, table, plan, row)
    last = _signature(sheet, table, plan, _totals(sheet, table, plan, row))

    for column in range(1, width + 1):
        attr = "label" if column == 1 else plan.columns[column - 2][1]
        size = WIDTHS[attr]
        if column in (3, 4, 5):
            size = max(size, AMOUNT_WIDTH)
        sheet.column_dimensions[get_column_letter(column)].width = size
    for _label, attr, size in MACHINE_COLUMNS:
        sheet.column_dimensions[get_column_letter(plan.machine[attr])].width = size
    sheet.freeze_panes = f"A{header + 1}"
    set_up_page(
        sheet,
        landscape=width > 9,
        title_rows=f"{header}:{header}",
        area=f"A1:{get_column_letter(width)}{last}",
        watermark=table.stamp.watermark if table.stamp else "",
        footer=footer,
    )


def _names(sheet, table, width: int, row: int) -> int:
    """项目名称 / 主管部门 / 实施单位, then the 项目编码 row that names the project for uploads."""
    split = 3 + (width - 2) // 2 - 1  # last column of the first value block
    if table.is_department_overall:
        first = ("部门（单位）名称", table.unit_name)
        second = (("主管部门", table.department_name), ("评价对象", "部门整体支出"))
    else:
        first = ("项目名称", table.project_name)
        second = (("主管部门", table.department_name), ("实施单位", table.unit_name))
    _merge(sheet, row, 1, 2, first[0], bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, 3, width, first[1])
    row += 1
    (label1, value1), (label2, value2) = second
    _merge(sheet, row, 1, 2, label1, bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, 3, split, value1)
    put(sheet, row, split + 1, label2, bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, split + 2, width, value2)
    row += 1
    _merge(sheet, row, 1, 2, upload.CODE_LABEL, bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, 3, 4, table.project_code, fmt=TEXT)
    put(sheet, row, 5, upload.YEAR_LABEL, bold=True, fill=HEAD_FILL, align=CENTER)
    put(sheet, row, 6, table.year, align=CENTER)
    put(sheet, row, 7, upload.UNIT_LABEL, bold=True, fill=HEAD_FILL, align=CENTER)
    put(sheet, row, 8, table.money_unit, align=CENTER)
    _merge(sheet, row, 9, max(9, width), upload.version_text(table.version), align=CENTER)
    return row + 1


def _funds(sheet, table, width: int, row: int) -> int:
    """项目资金 (or 部门预算) under its vertical label, figures as printed."""
    overall = table.is_department_overall
    rows = [f for f in table.funds if f.is_total or not overall]
    height = len(rows) + (1 if overall else 0)
    label = "部门预算" if overall else "项目资金"
    _merge(
        sheet,
        row,
        1,
        1,
        f"{label}\n（{table.money_unit}）",
        bottom=row + height,
        bold=True,
        fill=HEAD_FILL,
        align=CENTER,
    )
    put(sheet, row, 2, None, fill=HEAD_FILL)
    heads = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率")
    for column, head in enumerate(heads, start=3):
        put(sheet, row, column, head, bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, 8, width, "得分", bold=True, fill=HEAD_FILL, align=CENTER)
    sources_empty = all(
        f.initial_yuan is None and f.adjusted_yuan is None and f.executed_yuan is None
        for f in table.funds[1:]
    )
    for offset, fund in enumerate(rows, start=1):
        r = row + offset
        shown = table.funds[0] if sources_empty and fund.source == "current_year" else fund
        name = "年度预算总额" if overall and fund.is_total else fund.label
        put(sheet, r, 2, name, bold=fund.is_total, align=CENTER)
        for column, value in enumerate((shown.initial, shown.adjusted, shown.executed), start=3):
            put(sheet, r, column, value, fmt=AMOUNT)
        put(sheet, r, 6, _weight(fund.weight) if fund.is_total else "—", align=CENTER)
        put(sheet, r, 7, _rate(shown.rate), fmt=PERCENT)
        score = _score(fund.score) if fund.is_total else "—"
        _merge(sheet, r, 8, width, score, fmt=SCORE, align=CENTER if not fund.is_total else None)
    if overall:
        r = row + height
        put(sheet, r, 2, "预算调整", bold=True, align=CENTER)
        amount = "—" if table.adjustment is None else fmt_amount(table.adjustment)
        if table.adjustment is not None:
            amount += f" {table.money_unit}"
        ratio = fmt_percent(table.adjustment_rate) or "—"
        _merge(sheet, r, 3, width, f"调整数 {amount}；预算调整率（调整数 / 年初预算数） {ratio}")
    return row + height + 1


def _goal(sheet, table, width: int, row: int) -> int:
    """年度总体目标: its label over two rows, 预期目标 and 实际完成情况 side by side."""
    split = 2 + (width - 1) // 2 - 1
    _merge(
        sheet, row, 1, 1, upload.GOAL_LABEL, bottom=row + 1, bold=True, fill=HEAD_FILL, align=CENTER
    )
    _merge(sheet, row, 2, split, "预期目标", bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row, split + 1, width, "实际完成情况", bold=True, fill=HEAD_FILL, align=CENTER)
    _merge(sheet, row + 1, 2, split, table.goal_expected or None, fmt=TEXT)
    _merge(sheet, row + 1, split + 1, width, table.goal_actual or None, fmt=TEXT)
    longest = max(len(table.goal_expected or ""), len(table.goal_actual or ""))
    sheet.row_dimensions[row + 1].height = min(400, max(30, 15 * (1 + longest // 30)))
    return row + 2


def _indicators(sheet, table, plan: _Layout, row: int) -> tuple[int, int]:
    """The indicator table: header, then one row per 三级指标 with 一级/二级 merged down."""
    header = row
    rows = table.indicators
    _merge(
        sheet,
        header,
        1,
        1,
        "绩效指标",
        bottom=header + max(len(rows), 0),
        bold=True,
        fill=HEAD_FILL,
        align=CENTER,
    )
    for head, attr in plan.columns:
        put(sheet, header, plan.index[attr], head, bold=True, fill=HEAD_FILL, align=CENTER)
    for head, attr, _ in MACHINE_COLUMNS:
        put(sheet, header, plan.machine[attr], head, bold=True, fill=HEAD_FILL, align=CENTER)
    for offset, indicator in enumerate(rows, start=1):
        r = header + offset
        for _head, attr in plan.columns:
            column = plan.index[attr]
            if attr in ("level1", "level2"):
                span = getattr(indicator, f"{attr}_rowspan")
                if span:
                    _merge(
                        sheet,
                        r,
                        column,
                        column,
                        getattr(indicator, attr) or None,
                        bottom=r + span - 1,
                        fmt=TEXT,
                        align=CENTER,
                    )
                continue
            if attr == "weight":
                put(sheet, r, column, _weight(indicator.weight), align=CENTER)
            elif attr == "score":
                value = "—" if indicator.is_sub_row else _score(indicator.score)
                put(sheet, r, column, value, fmt=SCORE)
            else:
                value = getattr(indicator, attr)
                center = attr not in ("name", "deviation")
                put(sheet, r, column, value or None, fmt=TEXT, align=CENTER if center else None)
        machine = plan.machine
        put(sheet, r, machine["claimed_score"], _score(indicator.claimed_score), fmt=SCORE)
        put(sheet, r, machine["achievement"], indicator.achievement or None, fmt=TEXT)
        put(sheet, r, machine["seq"], offset, align=CENTER)
    return header, header + len(rows) + 1


def _totals(sheet, table, plan: _Layout, row: int) -> int:
    """总分: the weights' total under 分值, the total under 得分, the grade beside them."""
    weight, score = plan.index["weight"], plan.index["score"]
    _merge(sheet, row, 1, weight - 1, upload.TOTAL_LABEL, bold=True, fill=HEAD_FILL, align=CENTER)
    put(sheet, row, weight, table.weight_total, bold=True, align=CENTER)
    put(sheet, row, score, _score(table.total), fmt=SCORE, bold=True)
    _merge(sheet, row, score + 1, plan.width, f"自评等级：{table.grade or '—'}", bold=True)
    put(sheet, row, plan.machine["claimed_score"], _score(table.claimed_total), fmt=SCORE)
    notes = []
    if not table.scored:
        notes.append("本表尚未评分，得分栏为空。")
    rules = table.rules or "评分规则"
    note = f"注：金额单位为{table.money_unit}；得分按{rules}计算"
    if table.claimed_total is not None and table.claimed_total != table.total:
        note += f"，填报总分为 {fmt_score(table.claimed_total)}"
    notes.append(note + "。")
    for text in notes:
        row += 1
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=plan.width)
        cell = sheet.cell(row=row, column=1, value=text)
        cell.alignment = NOTE
    return row


def _signature(sheet, table, plan: _Layout, row: int) -> int:
    """The region's signature block under the table, as the PDF prints it: three labels a row,
    each with a blank line to sign or fill (Region.signature_fields)."""
    labels = table.stamp.signature_fields if table.stamp else ()
    if not labels:
        return row
    spans = _thirds(plan.width)
    for start in range(0, len(labels), len(spans)):
        row += 1
        for label, (first, last) in zip(labels[start : start + len(spans)], spans, strict=False):
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
            sheet.cell(row=row, column=first, value=f"{label}：________________")
        sheet.row_dimensions[row].height = 24
    return row


def _thirds(width: int) -> list[tuple[int, int]]:
    """Three column spans covering 1..width, for the signature block's three labels a row."""
    cuts = [1 + width * k // 3 for k in range(4)]
    cuts[-1] = width + 1
    return [(cuts[k], cuts[k + 1] - 1) for k in range(3)]


def evaluation_table_workbook(tables) -> bytes:
    """A workbook of 自评表 sheets, one per context, named like the upload template's sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for index, table in enumerate(tables, start=1):
        name = table.project_name if not table.is_department_overall else table.unit_name
        sheet = workbook.create_sheet(upload_template.sheet_title(index, name, used))
        write_table_sheet(sheet, table)
    return to_bytes(workbook)
