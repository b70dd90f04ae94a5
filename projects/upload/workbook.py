"""The 自评表 as an Excel workbook read back: one sheet per subject, found by its labels.

The reader never evaluates a formula: cells are read with openpyxl's data_only=True, which gives
the value Excel cached when it last saved the file; a formula without a cached value is an error
in its cell. Every problem is reported with its sheet, row and column.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from projects.filing.forms import parse_number
from projects.models import Achievement, FundSource, Indicator, IndicatorResult
from projects.money import MAX_AMOUNT, TEN_THOUSAND

ACTUALS = "actuals"
TARGETS = "targets"

TITLE = {"project": "项目支出绩效自评表", "department_overall": "部门整体支出绩效自评表"}
ID_LABEL = "项目编号"
HEADER_LABEL = "一级指标"
TOTAL_LABEL = "总分"
GOAL_LABEL = "年度总体目标"
INSTRUCTIONS = "填写说明"
VERSION_COLUMN = "J"  # on the 项目编号 row: "版本 7", the evaluation's version at download
MAX_SHEETS = 500
MAX_ROWS = 1000
# Bounds of what a cell may hold, so every figure fits its column: a number a column cannot hold
# fails the save on PostgreSQL and, on SQLite, every later read of the row.
MAX_WEIGHT = Decimal(100)  # a 分值 is part of a 100-point total
MAX_SCORE = Decimal(100000)  # exclusive: the score columns hold 5 integer digits
CENT = Decimal("0.01")
# Texts stored in a column of limited length (the 三级指标 and 年度指标值 are checked where a
# finance upload writes them): a longer one would fail the whole save on PostgreSQL.
TEXT_LIMITS = tuple(
    (letter, label, model._meta.get_field(name).max_length)
    for letter, label, model, name in (
        ("A", "一级指标", Indicator, "level1"),
        ("B", "二级指标", Indicator, "level2"),
        ("E", "实际完成值", IndicatorResult, "actual"),
    )
)

FUND_ROWS = (
    (FundSource.TOTAL, "年度资金总额"),
    (FundSource.CURRENT_YEAR, "其中：当年财政拨款"),
    (FundSource.CARRYOVER, "上年结转资金"),
    (FundSource.OTHER, "其他资金"),
)
FUND_LABELS = {label: source for source, label in FUND_ROWS} | {
    "当年财政拨款": FundSource.CURRENT_YEAR,
    "其中:当年财政拨款": FundSource.CURRENT_YEAR,
}
FUND_COLUMNS = (
    ("B", "initial", "年初预算数"),
    ("C", "adjusted", "全年预算数"),
    ("D", "executed", "全年执行数"),
)
INDICATOR_COLUMNS = (
    ("A", "level1", "一级指标"),
    ("B", "level2", "二级指标"),
    ("C", "name", "三级指标"),
    ("D", "target", "年度指标值"),
    ("E", "actual", "实际完成值"),
    ("F", "weight", "分值"),
    ("G", "claimed_score", "得分"),
    ("H", "deviation_reason", "偏差原因分析及改进措施"),
    ("I", "achievement", "完成程度（定性指标）"),
    ("J", "indicator_id", "指标编号（勿改）"),
)
COLUMN_NAMES = {letter: label for letter, _, label in INDICATOR_COLUMNS}
ACHIEVEMENT_BY_LABEL = {label: value for value, label in Achievement.choices}


@dataclass
class CellError:
    """One problem in one cell (or row) of the workbook."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f" {self.column} 列" if self.column else "")
        return f"工作表「{self.sheet}」{where}：{self.message}"


@dataclass
class IndicatorRow:
    """One indicator row as read from a sheet; values already converted, not yet checked."""

    row: int
    indicator_id: int | None
    level1: str
    level2: str
    name: str
    target: str
    weight: Decimal | None
    weight_given: bool
    actual: str
    claimed_score: Decimal | None
    deviation_reason: str
    achievement: str


@dataclass
class SubjectSheet:
    """One subject's sheet: which project it is, its funds, goal and indicator rows."""

    title: str
    project_id: int | None
    project_name: str
    money_unit: str
    id_cell: tuple[int, str] = (4, "B")
    version: int | None = None  # the evaluation's version the template was made at
    funds: dict = field(default_factory=dict)  # {source: {column: Decimal | None}} in 元
    fund_rows: dict = field(default_factory=dict)  # {source: row number}
    goal_expected: str = ""
    goal_actual: str = ""
    goal_row: int | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)


# ---------------------------------------------------------------- reading


def _text(value, number_format: str = "") -> str:
    """A cell as the text a person sees: numbers without float noise, % cells as percents."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if "%" in (number_format or ""):
            return f"{_plain(number * 100)}%"
        return _plain(number)
    return str(value).strip()


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _number(value) -> Decimal | None:
    """A numeric cell or a number typed as text; ValidationError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError("应为数字")
    if isinstance(value, int | Decimal | float):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as exc:  # pragma: no cover - repr of a float is a number
            raise ValidationError("应为数字") from exc
        if not number.is_finite():  # a NaN or an infinity is no figure (and compares with none)
            raise ValidationError("应为数字")
        return number
    return parse_number(str(value))


class _Sheet:
    """Cell access on one read-only worksheet, with formula cells lacking a cached value known."""

    def __init__(self, values, formulas):
        self.cells: dict[tuple[int, int], object] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.uncached: set[tuple[int, int]] = set()
        self.max_row = 0
        for row in values.iter_rows():
            for cell in row:
                if getattr(cell, "value", None) is None:
                    continue
                key = (cell.row, cell.column)
                self.cells[key] = cell.value
                self.formats[key] = cell.number_format
                self.max_row = max(self.max_row, cell.row)
        for row in formulas.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if isinstance(value, str) and value.startswith("="):
                    key = (cell.row, cell.column)
                    self.max_row = max(self.max_row, cell.row)
                    if key not in self.cells:
                        self.uncached.add(key)

    def get(self, row: int, letter: str):
        return self.cells.get((row, _col(letter)))

    def text(self, row: int, letter: str) -> str:
        key = (row, _col(letter))
        return _text(self.cells.get(key), self.formats.get(key, ""))

    def is_uncached(self, row: int, letter: str) -> bool:
        return (row, _col(letter)) in self.uncached


def _col(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def read_workbook(data: bytes) -> tuple[list[SubjectSheet], list[CellError]]:
    """Read every subject sheet; return them with every cell error found (nothing is checked
    against the database here)."""
    values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    sheets, errors = [], []
    try:
        if len(values_book.sheetnames) > MAX_SHEETS:
            errors.append(
                CellError(values_book.sheetnames[0], 1, "", f"工作表超过 {MAX_SHEETS} 个")
            )
            return sheets, errors
        for name in values_book.sheetnames:
            if name == INSTRUCTIONS:
                continue
            values, formulas = values_book[name], formulas_book[name]
            # Some spreadsheet programs write a wrong <dimension>; read to the real end.
            values.reset_dimensions()
            formulas.reset_dimensions()
            sheet = _Sheet(values, formulas)
            if not sheet.cells and not sheet.uncached:
                continue  # an empty sheet someone added
            subject = _read_subject(name, sheet, errors)
            if subject is not None:
                sheets.append(subject)
    finally:
        values_book.close()
        formulas_book.close()
    return sheets, errors


def version_text(version: int) -> str:
    """The version cell as written into the template."""
    return f"版本 {version}"


def read_version(text: str) -> int | None:
    """The version a template was made at, from its version cell; None when absent."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits and text.startswith("版本") and len(digits) < 10 else None


def _find(sheet: _Sheet, label: str, start: int = 1, stop: int | None = None) -> int | None:
    for row in range(start, min(stop or sheet.max_row, sheet.max_row) + 1):
        if sheet.text(row, "A").replace(" ", "") == label:
            return row
    return None


def _read_subject(name: str, sheet: _Sheet, errors: list[CellError]) -> SubjectSheet | None:
    id_row = _find(sheet, ID_LABEL, 1, 20)
    if id_row is None:
        errors.append(CellError(name, 4, "A", "找不到“项目编号”，不是本系统导出的自评表模板"))
        return None
    raw_id = sheet.get(id_row, "B")
    try:
        project_id = int(_number(raw_id)) if raw_id is not None else None
    except (ValidationError, ValueError):
        project_id = None
    if project_id is None:
        errors.append(
            CellError(name, id_row, "B", "项目编号缺失或不是数字，请勿修改模板中的项目编号")
        )
    money_unit = sheet.text(id_row, "I") or "万元"
    if money_unit not in ("元", "万元"):
        errors.append(CellError(name, id_row, "I", f"金额单位「{money_unit}」应为 元 或 万元"))
        money_unit = "万元"
    subject = SubjectSheet(
        title=name,
        project_id=project_id,
        project_name=sheet.text(id_row - 1, "B"),
        money_unit=money_unit,
        id_cell=(id_row, "B"),
        version=read_version(sheet.text(id_row, VERSION_COLUMN)),
    )
    header = _find(sheet, HEADER_LABEL, id_row + 1)
    _read_funds(sheet, subject, errors, id_row + 1, header or sheet.max_row)
    goal_row = _find(sheet, GOAL_LABEL, id_row + 1, header)
    if goal_row is not None:
        subject.goal_row = goal_row
        subject.goal_expected = sheet.text(goal_row, "C")
        subject.goal_actual = sheet.text(goal_row, "G")
    if header is None:
        errors.append(CellError(name, id_row, "A", "找不到绩效指标表头（“一级指标”）"))
        return subject
    _read_indicators(sheet, subject, errors, header)
    return subject


def _read_funds(sheet, subject, errors, start, stop) -> None:
    total_row = None
    for row in range(start, stop + 1):
        source = FUND_LABELS.get(sheet.text(row, "A").replace(" ", ""))
        if source == FundSource.TOTAL:
            total_row = row
        if source is None or source == FundSource.TOTAL:
            continue  # the total row is derived from its sources, never read
        subject.fund_rows[source] = row
        values = {}
        for letter, column, label in FUND_COLUMNS:
            if sheet.is_uncached(row, letter):
                errors.append(
                    CellError(
                        subject.title,
                        row,
                        letter,
                        f"{label}是公式但没有计算结果，请在 Excel 中打开、保存后再上传",
                    )
                )
                continue
            try:
                amount = _number(sheet.get(row, letter))
            except ValidationError as exc:
                errors.append(CellError(subject.title, row, letter, f"{label}{exc.messages[0]}"))
                continue
            if amount is not None and amount < 0:
                errors.append(CellError(subject.title, row, letter, f"{label}不能为负数"))
                continue
            if amount is not None:
                amount = amount * TEN_THOUSAND if subject.money_unit == "万元" else amount
                if amount >= MAX_AMOUNT:  # before any rounding, which a huge number overflows
                    errors.append(
                        CellError(
                            subject.title,
                            row,
                            letter,
                            f"{label}过大（须小于 10 万亿元），请核对金额单位（元/万元）",
                        )
                    )
                    continue
                if amount != amount.quantize(Decimal("0.01")):
                    errors.append(CellError(subject.title, row, letter, f"{label}最多精确到分"))
                    continue
                amount = amount.quantize(Decimal("0.01"))
            values[column] = amount
        subject.funds[source] = values
    _check_totals(subject, errors, total_row)


def _check_totals(subject, errors, total_row: int | None) -> None:
    """The 年度资金总额 is stored as the sum of the sources: it must fit a money column too."""
    for letter, column, label in FUND_COLUMNS:
        amounts = [v[column] for v in subject.funds.values() if v.get(column) is not None]
        if sum(amounts, Decimal(0)) >= MAX_AMOUNT:
            row = total_row or max(subject.fund_rows.values())
            message = (
                f"各来源{label}合计须小于 10 万亿元（年度资金总额），请核对金额单位（元/万元）"
            )
            errors.append(CellError(subject.title, row, letter, message))


def _has_rows_after(sheet, last: int) -> bool:
    """Does anything but the 总分 row follow row `last`?"""
    return any(
        key[0] > last and sheet.text(key[0], "A").replace(" ", "") != TOTAL_LABEL
        for key in sheet.cells
    )


def _read_indicators(sheet, subject, errors, header: int) -> None:
    last = min(sheet.max_row, header + MAX_ROWS)
    for row in range(header + 1, last + 1):
        if sheet.text(row, "A").replace(" ", "") == TOTAL_LABEL:
            break
    else:
        if sheet.max_row > last and _has_rows_after(sheet, last):
            # Refused, not cut short: a silently dropped row would be a silently lost actual.
            errors.append(
                CellError(
                    subject.title, last + 1, "", f"指标超过 {MAX_ROWS} 行的上限，请拆分后上传"
                )
            )
            return
    for row in range(header + 1, last + 1):
        if sheet.text(row, "A").replace(" ", "") == TOTAL_LABEL:
            break
        if not any(sheet.text(row, letter) for letter, _, _ in INDICATOR_COLUMNS) and not any(
            sheet.is_uncached(row, letter) for letter, _, _ in INDICATOR_COLUMNS
        ):
            continue
        problems = []
        for letter, _, label in INDICATOR_COLUMNS:
            if sheet.is_uncached(row, letter):
                problems.append(
                    (letter, f"{label}是公式但没有计算结果，请在 Excel 中打开、保存后再上传")
                )
        for letter, label, limit in TEXT_LIMITS:
            length = len(sheet.text(row, letter))
            if length > limit:
                problems.append((letter, f"{label}共 {length} 字，超过 {limit} 字的上限"))
        indicator_id = None
        raw_id = sheet.get(row, "J")
        if raw_id not in (None, ""):
            try:
                indicator_id = int(_number(raw_id))
            except (ValidationError, ValueError):
                problems.append(("J", "指标编号应为数字，请勿修改"))
        weight = claimed = None
        try:
            weight = _number(sheet.get(row, "F"))
        except ValidationError as exc:
            problems.append(("F", f"分值{exc.messages[0]}"))
        if weight is not None and not 0 <= weight <= MAX_WEIGHT:
            problems.append(("F", f"分值应在 0 到 {MAX_WEIGHT} 之间（其中行留空）"))
            weight = None  # reported here once; the checks after reading see no figure
        try:
            claimed = _number(sheet.get(row, "G"))
        except ValidationError as exc:
            problems.append(("G", f"得分{exc.messages[0]}"))
        if claimed is not None and claimed >= MAX_SCORE:  # before rounding, which would overflow
            problems.append(("G", f"得分过大（须小于 {MAX_SCORE}）"))
            claimed = None
        if claimed is not None and (claimed < 0 or claimed != claimed.quantize(CENT)):
            problems.append(("G", "得分不能为负数，且最多保留两位小数"))
        achievement_text = sheet.text(row, "I")
        achievement = ""
        if achievement_text:
            achievement = ACHIEVEMENT_BY_LABEL.get(achievement_text, "")
            if not achievement:
                problems.append(
                    ("I", f"完成程度「{achievement_text}」应为 达成、部分达成 或 未达成")
                )
        for letter, message in problems:
            errors.append(
                CellError(subject.title, row, letter, f"{message}（{COLUMN_NAMES[letter]}）")
            )
        subject.indicators.append(
            IndicatorRow(
                row=row,
                indicator_id=indicator_id,
                level1=sheet.text(row, "A"),
                level2=sheet.text(row, "B"),
                name=sheet.text(row, "C"),
                target=sheet.text(row, "D"),
                weight=weight,
                weight_given=sheet.get(row, "F") not in (None, ""),
                actual=sheet.text(row, "E"),
                claimed_score=claimed.quantize(Decimal("0.01")) if claimed is not None else None,
                deviation_reason=sheet.text(row, "H"),
                achievement=achievement,
            )
        )
