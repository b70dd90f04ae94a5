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
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from projects.filing.forms import parse_number
from projects.models import Achievement, FundSource, Indicator, IndicatorResult
from projects.money import MAX_AMOUNT, TEN_THOUSAND

ACTUALS = "actuals"
TARGETS = "targets"

TITLE = {"project": "项目支出绩效自评表", "department_overall": "部门整体支出绩效自评表"}
CODE_LABEL = "项目编码"  # the project's own budget code: the sheet's stable key
LEGACY_ID_LABEL = "项目编号"  # workbooks written before codes carried the database id here
ID_LABELS = (CODE_LABEL, LEGACY_ID_LABEL)
UNIT_LABEL = "金额单位"
YEAR_LABEL = "年度"
NAME_LABELS = ("项目名称",)
UNIT_NAME_LABELS = ("实施单位", "部门（单位）名称")
HEADER_LABEL = "一级指标"
SEQ_LABEL = "指标序号（勿改）"  # the indicator's position 1..n in its subject: its stable key
TOTAL_LABEL = "总分"
GOAL_LABEL = "年度总体目标"
INSTRUCTIONS = "填写说明"
REPORT_SHEET = "自评报告"  # the report workbook's text sheet: for reading, never uploaded
SKIPPED_SHEETS = (INSTRUCTIONS, REPORT_SHEET)
VERSION_COLUMN = "J"  # on the 项目编码 row: "版本 7", the evaluation's version at download
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
    (name, label, model._meta.get_field(name).max_length)
    for label, model, name in (
        ("一级指标", Indicator, "level1"),
        ("二级指标", Indicator, "level2"),
        ("实际完成值", IndicatorResult, "actual"),
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
    ("J", "seq", SEQ_LABEL),
)
COLUMN_NAMES = {letter: label for letter, _, label in INDICATOR_COLUMNS}
# Header labels the reader knows, in either layout (the upload template's, the printed form's,
# and workbooks written before codes): {field: labels, first found wins}.
HEADER_FIELDS = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标",),
    "target": ("年度指标值",),
    "actual": ("实际完成值",),
    "weight": ("分值",),
    # The printed form's 得分 is the computed score; the filer's own sits in 自评得分（填报）.
    "claimed_score": ("自评得分（填报）", "得分（填报）", "得分"),
    "deviation_reason": ("偏差原因分析及改进措施",),
    "achievement": ("完成程度（定性指标）", "完成程度"),
    "seq": (SEQ_LABEL, "指标序号"),
    "indicator_id": ("指标编号（勿改）", "指标编号"),
}
FIELD_NAMES = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "claimed_score": "得分",
    "deviation_reason": "偏差原因分析及改进措施",
    "achievement": "完成程度（定性指标）",
    "seq": "指标序号",
    "indicator_id": "指标编号",
}
MAX_MERGES = 5000
DASHES = ("—", "－", "-", "–")
_MERGE_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
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
    """One indicator row as read from a sheet; values already converted, not yet checked.

    A row names its indicator by position (seq, 指标序号 1..n); indicator_id is filled when the
    row is matched to its subject (projects.upload.matching), or read from an older workbook
    that still carried the database id. target is None when the sheet has no 年度指标值 column
    (the 指标性质 / 指标值 / 度量单位 variant).
    """

    row: int
    indicator_id: int | None
    level1: str
    level2: str
    name: str
    target: str | None
    weight: Decimal | None
    weight_given: bool
    actual: str
    claimed_score: Decimal | None
    deviation_reason: str
    achievement: str
    seq: int | None = None
    key_column: str = "J"  # where the row's key (序号 or old 编号) sits, for messages

    @property
    def key_label(self) -> str:
        """How a message names the row's key: 指标序号 3 (or an old workbook's 指标编号)."""
        if self.seq is not None:
            return f"指标序号 {self.seq}"
        return f"指标编号 {self.indicator_id}"


@dataclass
class SubjectSheet:
    """One subject's sheet: which project it is, its funds, goal and indicator rows."""

    title: str
    project_id: int | None  # only an older workbook's 项目编号; matched by code otherwise
    project_name: str
    money_unit: str
    id_cell: tuple[int, str] = (4, "B")
    version: int | None = None  # the evaluation's version the template was made at
    funds: dict = field(default_factory=dict)  # {source: {column: Decimal | None}} in 元
    fund_rows: dict = field(default_factory=dict)  # {source: row number}
    fund_letters: dict = field(
        default_factory=lambda: {column: letter for letter, column, _ in FUND_COLUMNS}
    )
    goal_expected: str = ""
    goal_actual: str = ""
    goal_row: int | None = None
    goal_letters: tuple[str, str] = ("C", "G")
    indicators: list[IndicatorRow] = field(default_factory=list)
    project_code: str = ""
    year: int | None = None
    unit_name: str = ""
    has_column: set = field(default_factory=set)  # indicator fields the sheet has a column for


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
        self.merges = _merged_ranges(values)

    def get(self, row: int, letter: str):
        return self.cells.get((row, _col(letter)))

    def text(self, row: int, letter: str) -> str:
        key = (row, _col(letter))
        return _text(self.cells.get(key), self.formats.get(key, ""))

    def is_uncached(self, row: int, letter: str) -> bool:
        return (row, _col(letter)) in self.uncached

    def labels(self, row: int, upto: int = 30) -> dict[str, int]:
        """The texts of one row (spaces removed) by their first column: how labels are found."""
        found: dict[str, int] = {}
        for column in range(1, upto + 1):
            key = (row, column)
            if key in self.cells:
                found.setdefault(_text(self.cells[key]).replace(" ", ""), column)
        return found

    def value_after(self, row: int, label: str) -> tuple[str, str] | None:
        """The cell right of `label` on `row` (past the label's own merge), as (text, letter);
        None when the row has no such label."""
        column = self.labels(row).get(label)
        if column is None:
            return None
        right = column
        for top, left, _bottom, last in self.merges:
            if top == row and left == column:
                right = last
                break
        letter = get_column_letter(right + 1)
        return self.text(row, letter), letter

    def merged_down(self, row: int, column: int) -> int | None:
        """The top row of a vertical merge covering (row, column) from above, else None."""
        for top, left, bottom, right in self.merges:
            if left <= column <= right and top < row <= bottom:
                return top
        return None


def _merged_ranges(worksheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (top, left, bottom, right).

    openpyxl's read-only sheets do not keep them, so the <mergeCell> elements are read from the
    part with openpyxl's own XML reader; a merged 一级/二级 cell reads back empty below its first
    row, and the reader takes the label from the top of its merge instead.
    """
    source = getattr(worksheet, "_get_source", None)
    if source is None:
        merged = worksheet.merged_cells.ranges
        return [(r.min_row, r.min_col, r.max_row, r.max_col) for r in merged][:MAX_MERGES]
    ranges = []
    with source() as stream:
        for _, element in iterparse(stream):
            if element.tag == _MERGE_TAG and len(ranges) < MAX_MERGES:
                ref = element.get("ref") or ""
                try:
                    left, top, right, bottom = range_boundaries(ref)
                except (ValueError, TypeError):
                    continue
                ranges.append((top, left, bottom, right))
            element.clear()
    return ranges


def _col(letter: str) -> int:
    return column_index_from_string(letter)


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
            if name in SKIPPED_SHEETS:
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


def _find(sheet: _Sheet, label, start: int = 1, stop: int | None = None, columns=("A",)):
    """The first row from `start` whose cell in one of `columns` reads `label` (or one of)."""
    wanted = (label,) if isinstance(label, str) else tuple(label)
    for row in range(start, min(stop or sheet.max_row, sheet.max_row) + 1):
        for letter in columns:
            if sheet.text(row, letter).replace(" ", "") in wanted:
                return row
    return None


def _read_subject(name: str, sheet: _Sheet, errors: list[CellError]) -> SubjectSheet | None:
    id_row = _find(sheet, ID_LABELS, 1, 20)
    if id_row is None:
        errors.append(CellError(name, 4, "A", "找不到“项目编码”，不是本系统导出的自评表模板"))
        return None
    label = sheet.text(id_row, "A").replace(" ", "")
    project_id, code = None, ""
    key_text, key_letter = sheet.value_after(id_row, label) or ("", "B")
    if label == LEGACY_ID_LABEL:
        # A workbook written before codes: its database id is still accepted, its code too.
        try:
            raw = sheet.get(id_row, key_letter)
            project_id = int(_number(raw)) if raw is not None else None
        except (ValidationError, ValueError):
            project_id = None
        code = (sheet.value_after(id_row, CODE_LABEL) or ("", ""))[0]
        if project_id is None and not code:
            errors.append(
                CellError(name, id_row, key_letter, "项目编号缺失或不是数字，请重新下载模板")
            )
    else:
        code = key_text
        if not code:
            errors.append(
                CellError(name, id_row, key_letter, "项目编码缺失，请勿修改模板中的项目编码")
            )
    unit_cell = sheet.value_after(id_row, UNIT_LABEL)
    money_unit, unit_letter = unit_cell if unit_cell else (sheet.text(id_row, "I"), "I")
    money_unit = money_unit or "万元"
    if money_unit not in ("元", "万元"):
        errors.append(
            CellError(name, id_row, unit_letter, f"金额单位「{money_unit}」应为 元 或 万元")
        )
        money_unit = "万元"
    year = None
    year_cell = sheet.value_after(id_row, YEAR_LABEL)
    if year_cell and year_cell[0].isdigit() and len(year_cell[0]) == 4:
        year = int(year_cell[0])
    version = None
    for column in range(1, 31):
        text = _text(sheet.cells.get((id_row, column)))
        if text.startswith("版本"):
            version = read_version(text)
            break
    subject = SubjectSheet(
        title=name,
        project_id=project_id,
        project_name=_labelled(sheet, NAME_LABELS, id_row),
        money_unit=money_unit,
        id_cell=(id_row, key_letter),
        version=version,
        project_code=code,
        year=year,
        unit_name=_labelled(sheet, UNIT_NAME_LABELS, id_row),
    )
    header = _find(sheet, HEADER_LABEL, id_row + 1, columns=("A", "B"))
    _read_funds(sheet, subject, errors, id_row + 1, header or sheet.max_row)
    _read_goal(sheet, subject, id_row + 1, header)
    if header is None:
        errors.append(CellError(name, id_row, "A", "找不到绩效指标表头（“一级指标”）"))
        return subject
    _read_indicators(sheet, subject, errors, header)
    return subject


def _labelled(sheet: _Sheet, labels, stop: int) -> str:
    """The text beside the first of `labels` found above row `stop` (项目名称, 实施单位)."""
    for row in range(1, stop):
        for label in labels:
            found = sheet.value_after(row, label)
            if found is not None:
                return found[0]
    return ""


def _read_goal(sheet: _Sheet, subject: SubjectSheet, start: int, stop: int | None) -> None:
    """年度总体目标: texts beside their labels (the template) or under them (the printed form,
    whose label is merged over two rows)."""
    goal_row = _find(sheet, GOAL_LABEL, start, stop)
    if goal_row is None:
        return
    subject.goal_row = goal_row
    below = sheet.merged_down(goal_row + 1, 1) == goal_row
    labels = sheet.labels(goal_row)
    letters = []
    for label, fallback in (("预期目标", "C"), ("实际完成情况", "G")):
        column = labels.get(label)
        if column is None:
            letters.append(fallback)
        elif below:
            letters.append(get_column_letter(column))
        else:
            letters.append(get_column_letter(column + 1))
    row = goal_row + 1 if below else goal_row
    subject.goal_letters = (letters[0], letters[1])
    subject.goal_expected = sheet.text(row, letters[0])
    subject.goal_actual = sheet.text(row, letters[1])
    if below:
        subject.goal_row = row


def _fund_layout(sheet: _Sheet, start: int, stop: int):
    """The fund table's amount columns by header label and the columns its row labels sit in."""
    for row in range(start, stop + 1):
        labels = sheet.labels(row)
        if all(label in labels for _, _, label in FUND_COLUMNS):
            letters = {
                column: get_column_letter(labels[label]) for _, column, label in FUND_COLUMNS
            }
            first = min(labels[label] for _, _, label in FUND_COLUMNS)
            return letters, [get_column_letter(c) for c in range(1, first)]
    return {column: letter for letter, column, _ in FUND_COLUMNS}, ["A"]


def _read_funds(sheet, subject, errors, start, stop) -> None:
    total_row = None
    letters, label_columns = _fund_layout(sheet, start, stop)
    subject.fund_letters = letters
    for row in range(start, stop + 1):
        source = None
        for label_letter in label_columns:
            source = FUND_LABELS.get(sheet.text(row, label_letter).replace(" ", ""))
            if source is not None:
                break
        if source == FundSource.TOTAL:
            total_row = row
        if source is None or source == FundSource.TOTAL:
            continue  # the total row is derived from its sources, never read
        subject.fund_rows[source] = row
        values = {}
        for _, column, label in FUND_COLUMNS:
            letter = letters[column]
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
    for _, column, label in FUND_COLUMNS:
        amounts = [v[column] for v in subject.funds.values() if v.get(column) is not None]
        if sum(amounts, Decimal(0)) >= MAX_AMOUNT:
            row = total_row or max(subject.fund_rows.values())
            message = (
                f"各来源{label}合计须小于 10 万亿元（年度资金总额），请核对金额单位（元/万元）"
            )
            errors.append(CellError(subject.title, row, subject.fund_letters[column], message))


def _has_rows_after(sheet, last: int) -> bool:
    """Does anything but the 总分 row follow row `last`?"""
    return any(key[0] > last and not _is_total_row(sheet, key[0]) for key in sheet.cells)


def _is_total_row(sheet, row: int) -> bool:
    return sheet.text(row, "A").replace(" ", "") == TOTAL_LABEL


def _blank_dash(value):
    """The printed form's — (a 其中 row has no 分值 and no 得分) is an empty cell."""
    if isinstance(value, str) and value.strip() in DASHES:
        return None
    return value


def _indicator_columns(sheet: _Sheet, header: int, legacy: bool) -> dict[str, str]:
    """{field: letter} from the header row's labels.

    A header row naming almost nothing (a sheet typed by hand after the template's pattern) is
    read in the template's fixed columns A–J, whose J is an old workbook's 指标编号 where the
    sheet still names its project by 项目编号.
    """
    labels = sheet.labels(header, upto=40)
    columns = {}
    for name, candidates in HEADER_FIELDS.items():
        for label in candidates:
            if label in labels:
                columns[name] = get_column_letter(labels[label])
                break
    if len(columns) < 3:
        columns = {name: letter for letter, name, _ in INDICATOR_COLUMNS}
        if legacy:
            columns["indicator_id"] = columns.pop("seq")
    return columns


def _read_indicators(sheet, subject, errors, header: int) -> None:
    last = min(sheet.max_row, header + MAX_ROWS)
    # The 总分 row may follow the last allowed row directly; notes under it are no indicators.
    for row in range(header + 1, last + 2):
        if _is_total_row(sheet, row):
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
    columns = _indicator_columns(sheet, header, subject.project_id is not None)
    subject.has_column = set(columns)
    letters = list(columns.values())
    previous: dict[str, str] = {}
    for row in range(header + 1, last + 1):
        if _is_total_row(sheet, row):
            break
        if not any(sheet.text(row, letter) for letter in letters) and not any(
            sheet.is_uncached(row, letter) for letter in letters
        ):
            continue

        def text(name: str, row=row) -> str:
            letter = columns.get(name)
            return sheet.text(row, letter) if letter else ""

        def raw(name: str, row=row):
            letter = columns.get(name)
            return sheet.get(row, letter) if letter else None

        problems = []
        for name, letter in columns.items():
            if sheet.is_uncached(row, letter):
                problems.append(
                    (
                        name,
                        f"{FIELD_NAMES[name]}是公式但没有计算结果，请在 Excel 中打开、保存后再上传",
                    )
                )
        levels = {}
        for name in ("level1", "level2"):
            levels[name] = text(name)
            letter = columns.get(name)
            if not levels[name] and letter and sheet.merged_down(row, _col(letter)):
                levels[name] = previous.get(name, "")  # a merged 一级/二级 cell
        previous = levels
        for name, label, limit in TEXT_LIMITS:
            length = len(levels.get(name, text(name)))
            if length > limit:
                problems.append((name, f"{label}共 {length} 字，超过 {limit} 字的上限"))
        indicator_id = seq = None
        for name in ("seq", "indicator_id"):
            value = raw(name)
            if value in (None, ""):
                continue
            try:
                number = int(_number(value))
            except (ValidationError, ValueError, TypeError):
                problems.append((name, f"{FIELD_NAMES[name]}应为数字，请勿修改"))
                continue
            if name == "seq":
                seq = number
            else:
                indicator_id = number
        weight = claimed = None
        try:
            weight = _number(_blank_dash(raw("weight")))
        except ValidationError as exc:
            problems.append(("weight", f"分值{exc.messages[0]}"))
        if weight is not None and not 0 <= weight <= MAX_WEIGHT:
            problems.append(("weight", f"分值应在 0 到 {MAX_WEIGHT} 之间（其中行留空）"))
            weight = None  # reported here once; the checks after reading see no figure
        try:
            claimed = _number(_blank_dash(raw("claimed_score")))
        except ValidationError as exc:
            problems.append(("claimed_score", f"得分{exc.messages[0]}"))
        if claimed is not None and claimed >= MAX_SCORE:  # before rounding, which would overflow
            problems.append(("claimed_score", f"得分过大（须小于 {MAX_SCORE}）"))
            claimed = None
        if claimed is not None and (claimed < 0 or claimed != claimed.quantize(CENT)):
            problems.append(("claimed_score", "得分不能为负数，且最多保留两位小数"))
        achievement_text = text("achievement")
        achievement = ""
        if achievement_text:
            achievement = ACHIEVEMENT_BY_LABEL.get(achievement_text, "")
            if not achievement:
                problems.append(
                    ("achievement", f"完成程度「{achievement_text}」应为 达成、部分达成 或 未达成")
                )
        for name, message in problems:
            errors.append(
                CellError(
                    subject.title, row, columns.get(name, ""), f"{message}（{FIELD_NAMES[name]}）"
                )
            )
        key = "seq" if seq is not None or "indicator_id" not in columns else "indicator_id"
        subject.indicators.append(
            IndicatorRow(
                row=row,
                indicator_id=indicator_id,
                level1=levels["level1"],
                level2=levels["level2"],
                name=text("name"),
                target=text("target") if "target" in columns else None,
                weight=weight,
                weight_given=_blank_dash(raw("weight")) not in (None, ""),
                actual=text("actual"),
                claimed_score=claimed.quantize(Decimal("0.01")) if claimed is not None else None,
                deviation_reason=text("deviation_reason"),
                achievement=achievement,
                seq=seq,
                key_column=columns.get(key, "J"),
            )
        )
