"""The library workbook: one sheet of standard indicators, one per row. Columns, in this order:

    适用领域 | 一级指标 | 二级指标 | 三级指标 | 度量单位 | 指标方向 | 建议指标值写法 | 政策依据

A row whose 适用领域, 二级指标 and 三级指标 match an indicator of the region's library updates it
(and enables it again); any other row adds one. Reading never writes; `preview` reports every
wrong cell at once, and the service applies the rows only when there is none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from projects.administration.importer import RowError, _text
from projects.models import Direction
from projects.targets.library_selectors import LEVEL1_CHOICES

COLUMNS = (
    ("function", "适用领域", "必填，如“教育”“农林水”“通用”", 100),
    ("level1", "一级指标", "产出指标、效益指标、满意度指标、成本指标", 50),
    ("level2", "二级指标", "必填，如“数量指标”“质量指标”“社会效益指标”", 50),
    ("name", "三级指标", "必填；同一适用领域和二级指标下不重复", 300),
    ("unit_of_measure", "度量单位", "如“人次”“%”“元/人”；定性指标可留空", 30),
    ("direction", "指标方向", "越高越好、越低越好、等于目标、定性（也可填 ≥、≤、=）", 20),
    ("suggested_target", "建议指标值写法", "如“≥95%”", 300),
    ("policy_source", "政策依据", "如“财预〔2020〕10号 附件”", 300),
)
HEADERS = tuple(label for _, label, _, _ in COLUMNS)
LABEL = {key: label for key, label, _, _ in COLUMNS}
REQUIRED = ("function", "level1", "level2", "name")
LEVEL1 = {value for value, _ in LEVEL1_CHOICES}
DIRECTIONS = {
    "越高越好": Direction.HIGHER,
    "越高越好（≥）": Direction.HIGHER,
    "≥": Direction.HIGHER,
    "正向": Direction.HIGHER,
    "越低越好": Direction.LOWER,
    "越低越好（≤）": Direction.LOWER,
    "≤": Direction.LOWER,
    "反向": Direction.LOWER,
    "等于目标": Direction.EQUAL,
    "等于目标（=）": Direction.EQUAL,
    "=": Direction.EQUAL,
    "定性": Direction.QUALITATIVE,
}


@dataclass(frozen=True)
class Row:
    """One checked line of the sheet."""

    number: int
    function: str
    level1: str
    level2: str
    name: str
    unit_of_measure: str
    direction: str
    suggested_target: str
    policy_source: str

    def fields(self) -> dict[str, str]:
        """The library indicator's fields this row sets."""
        return {key: getattr(self, key) for key, _, _, _ in COLUMNS}


def template_workbook() -> bytes:
    """The empty workbook to fill in, with the column notes and an example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "共性指标"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_, _, _, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = 14 if width < 100 else 24
    notes = book.create_sheet("填写说明")
    notes.append(("列名", "说明"))
    for _, label, note, _ in COLUMNS:
        notes.append((label, note))
    notes.append(())
    notes.append(("示例", "以下一行仅为示例，请在“共性指标”表中填写本地区的共性指标。"))
    notes.append(HEADERS)
    notes.append(
        ("通用", "产出指标", "数量指标", "培训人次", "人次", "越高越好", "≥500人次", "本系统示例")
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes) -> tuple[list[Row], list[RowError]]:
    """Read the first sheet into rows, reporting every wrong cell by row and column."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [], [RowError(0, "", "无法读取该文件，请上传由模板填写的 .xlsx 工作簿。")]
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(lines, ())]
    if tuple(header[: len(HEADERS)]) != HEADERS:
        book.close()
        return [], [RowError(1, "", f"表头应为：{'、'.join(HEADERS)}。请使用下载的模板。")]
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, values in enumerate(lines, start=2):
        cells = [_text(v) for v in (values or ())][: len(HEADERS)]
        cells += [""] * (len(HEADERS) - len(cells))
        if not any(cells):
            continue
        data_ = dict(zip((key for key, _, _, _ in COLUMNS), cells, strict=True))
        bad = len(errors)
        for key, label, _, width in COLUMNS:
            if key in REQUIRED and not data_[key]:
                errors.append(RowError(number, label, f"请填写{label}。"))
            elif len(data_[key]) > width:
                errors.append(RowError(number, label, f"不能超过 {width} 个字。"))
        if data_["level1"] and data_["level1"] not in LEVEL1:
            errors.append(
                RowError(number, LABEL["level1"], f"应为：{'、'.join(sorted(LEVEL1, key=len))}。")
            )
        text = data_["direction"]
        data_["direction"] = DIRECTIONS.get(text, "") if text else Direction.HIGHER
        if not data_["direction"]:
            errors.append(
                RowError(
                    number,
                    LABEL["direction"],
                    f"无法识别的指标方向“{text}”，应为：越高越好、越低越好、等于目标、定性。",
                )
            )
        key = (data_["function"], data_["level2"], data_["name"])
        if all(key) and key in seen:
            errors.append(RowError(number, LABEL["name"], f"与第 {seen[key]} 行的指标重复。"))
        seen.setdefault(key, number)
        if len(errors) == bad:
            rows.append(Row(number=number, **data_))
    book.close()
    if not rows and not errors:
        errors.append(RowError(2, "", "工作簿中没有数据行。"))
    return rows, errors
