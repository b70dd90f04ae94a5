"""Shared workbook styling: thin rules, header fills, number formats, fitted column widths and
the A4 page set-up with the document's standing in its header and footer."""

from __future__ import annotations

import io
import unicodedata
from copy import copy
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins

AMOUNT = "#,##0.00"  # every amount is stored rounded as printed, so the cell is the figure
PERCENT = "0.00%"
SCORE = "0.00"
TEXT = "@"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E7ECF3")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")


def stamp_lines(stamp) -> tuple[str, str]:
    """The status line under a document's title and its page footer, from its stamp."""
    if stamp is None:
        return "", ""
    return f"文件状态：{stamp.footer}", stamp.footer


def _header_text(text: str) -> str:
    """Header and footer text with Excel's & codes escaped."""
    return text.replace("&", "&&")


def set_up_page(
    sheet,
    *,
    landscape: bool,
    title_rows: str | None = None,
    area: str | None = None,
    watermark: str = "",
    footer: str = "",
) -> None:
    """A4, fitted to one page wide, the table's header repeated on every page, and the
    document's standing in the page header (草稿 / 未审核) and footer."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(
        left=0.55, right=0.55, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    if title_rows:
        sheet.print_title_rows = title_rows
    if area:
        sheet.print_area = area
    if watermark:
        sheet.oddHeader.center.text = _header_text(watermark)
        sheet.oddHeader.center.size = 20
        sheet.oddHeader.center.color = "C00000"
    if footer:
        sheet.oddFooter.left.text = _header_text(footer)
        sheet.oddFooter.left.size = 8
    sheet.oddFooter.right.text = "第 &P 页 共 &N 页"
    sheet.oddFooter.right.size = 8


def fraction(percent: Decimal | None) -> Decimal | None:
    """84.26 (percent) → 0.8426, the value a 0.00% cell holds."""
    return None if percent is None else percent / 100


def put(sheet, row: int, column: int, value, *, fmt=None, bold=False, fill=None, align=None):
    """Write one bordered cell; each combination of styles is built once per workbook."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # imported text may carry control characters
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        # A target printed "=100%" is text, not a formula.
        cell.data_type = "s"
    if align is None:
        align = RIGHT if isinstance(value, int | float | Decimal) else LEFT
    # openpyxl hashes every style object on assignment, which dominates a 1,000-row sheet;
    # copying a finished style array from the first cell of its kind is the same, only fast.
    styles = sheet.parent.__dict__.setdefault("_report_styles", {})
    key = (fmt, bold, id(fill), id(align))
    if key in styles:
        cell._style = copy(styles[key])
        return cell
    cell.border = BORDER
    cell.alignment = align
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    if fill is not None:
        cell.fill = fill
    styles[key] = copy(cell._style)
    return cell


def merge(sheet, top: int, left: int, bottom: int, right: int) -> None:
    """Merge a block whose top-left cell is already styled, every covered cell styled alike.

    openpyxl's merge_cells rebuilds the block's edge borders one cell at a time, hashing a new
    style for each (seconds for a 1,000-row table with merged levels); copying the top-left
    cell's finished style onto the covered cells gives the same borders at once.
    """
    block = MergedCellRange(
        sheet, f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    )
    sheet.merged_cells.add(block)
    style = sheet.cell(row=top, column=left)._style
    cells = block.cells
    next(cells)  # the top-left cell keeps its value
    for row, column in cells:
        covered = MergedCell(sheet, row=row, column=column)
        covered._style = copy(style)
        sheet._cells[(row, column)] = covered


def title(sheet, row: int, text: str, columns: int, *, font=TITLE_FONT) -> None:
    """A centred title merged across the table's width."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    cell = sheet.cell(row=row, column=1, value=text)
    if font is not None:
        cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")


def display_width(value, number_format: str = "") -> int:
    """How many character cells a value takes: CJK characters count double."""
    if value is None:
        return 0
    if isinstance(value, int | float | Decimal):
        if "%" in number_format:
            text = f"{Decimal(value) * 100:.2f}%"
        elif "0.00" in number_format:
            text = f"{Decimal(value):,.2f}"
        else:
            text = str(value)
    else:
        text = str(value)
    longest = max(text.split("\n"), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def fit_columns(sheet, *, skip_rows=(), minimum=6, maximum=60) -> None:
    """Set each column as wide as its widest cell (titles and merged cells excluded)."""
    merged = set()
    for area in sheet.merged_cells.ranges:
        for row in range(area.min_row, area.max_row + 1):
            for col in range(area.min_col, area.max_col + 1):
                merged.add((row, col))
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.row in skip_rows or (cell.row, cell.column) in merged:
                continue
            width = display_width(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(
            minimum, min(maximum, width + 2)
        )


def to_bytes(workbook) -> bytes:
    """Serialise a workbook."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
