"""The 年度资金总额 row from its source rows: the one rule, used by the engine, the form and the prints.

domain.md §3.1: the total row is the sum of the source rows (当年财政拨款, 上年结转资金, 其他资金).
Published tables are often partial: a 当年财政拨款 with a 全年预算数 but no 年初预算数, a 上年结转资金
with one column. Column by column, the total is the sum of the sources that carry the column;
where none does, the total's own printed figure stands (it is the only one there is). The engine
reports a printed total that disagrees with the sum (`fund_rows_not_summing`); this module only
decides the figure, so the filing form, the review page, the prints and the score all show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

COLUMNS = ("initial", "adjusted", "executed")


def column_total(printed: Decimal | None, parts: Iterable[Decimal | None]) -> Decimal | None:
    """One column of the total: the sum of the parts present, else the printed figure."""
    present = [part for part in parts if part is not None]
    return sum(present, Decimal(0)) if present else printed


def fund_total(
    printed: Mapping[str, Decimal | None] | None,
    sources: Iterable[Mapping[str, Decimal | None] | None],
) -> dict[str, Decimal | None]:
    """The 年度资金总额 row ({column: amount}) from the printed total and the source rows."""
    printed = printed or {}
    rows = [row or {} for row in sources]
    return {
        column: column_total(printed.get(column), (row.get(column) for row in rows))
        for column in COLUMNS
    }
