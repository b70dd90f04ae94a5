"""Money and figure conversions shared by import, export and the reports; Decimal only."""

from decimal import Decimal

from projects import formatting
from scoring.engine import numbers
from scoring.engine.funds import COLUMNS, fund_total

TOTAL = "total"
SOURCES = ("current_year", "carryover", "other")

TEN_THOUSAND = Decimal(10000)
# Every amount the form, the uploads and the importer accept is below this, in 元 (10 万亿元), and
# so is the sum of a project's sources. SQLite keeps a decimal column as a float and Django reads
# it back with 15 significant digits: 13 integer digits and the 分 are exact, more are not.
MAX_AMOUNT = Decimal(10) ** 13


def to_yuan(amount: Decimal | None, money_unit: str) -> Decimal | None:
    """Convert an amount in `money_unit` (元 or 万元) to 元, the unit the database stores."""
    if amount is None:
        return None
    return amount * TEN_THOUSAND if money_unit == "万元" else amount


def from_yuan(amount: Decimal | None, money_unit: str) -> Decimal | None:
    """Convert an amount stored in 元 to `money_unit`."""
    if amount is None:
        return None
    return amount / TEN_THOUSAND if money_unit == "万元" else amount


def plain(value: Decimal | None) -> str | None:
    """Render a Decimal as people print it ("38.76", "220"); None stays None."""
    return None if value is None else numbers.plain(value)


def format_amount(amount: Decimal | None, money_unit: str, *, grouping: bool = True) -> str:
    """An amount in 元 as an input field shows it (exact); see `projects.formatting`."""
    return formatting.editable_amount(amount, money_unit, grouping=grouping)


def fund_amounts(fund_lines) -> dict[str, dict[str, Decimal | None]]:
    """A project's fund lines as {source: {column: 元}}, the total by the one rule.

    The review page and every print read the 年度资金总额 row here, the filing form and the
    score through the same `scoring.engine.funds.fund_total`, so a partial row (a source with
    some columns blank) totals alike everywhere.
    """
    lines = {line.source: line for line in fund_lines}
    amounts = {
        source: {column: getattr(lines.get(source), column, None) for column in COLUMNS}
        for source in (TOTAL, *SOURCES)
    }
    amounts[TOTAL] = fund_total(amounts[TOTAL], (amounts[s] for s in SOURCES))
    return amounts
