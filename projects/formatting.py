"""The one formatting module: money (元/万元), rates and scores, rounded once, half-up.

Pages, prints, Excel, the drafted narrative and the open data all print figures through these
functions, so the same evaluation reads the same everywhere (84.25%, never 84.24% on one page and
84.25% on another). It imports nothing from Django and sits at the bottom of the project, below
both `projects` and `reports`.

Display figures are rounded to two places half-up (四舍五入), as the printed tables are. The one
exception is `editable_amount`: the value put back into a form field must be exact, or saving an
untouched form would change the stored amount.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
WAN = Decimal(10000)
HUNDRED = Decimal(100)
YUAN = "元"
WAN_YUAN = "万元"
MONEY_UNITS = (WAN_YUAN, YUAN)


def money_unit_or_default(value: str | None) -> str:
    """Reports print 万元 unless the reader asks for 元; anything else falls back to 万元."""
    return YUAN if value in (YUAN, "yuan") else WAN_YUAN


def round2(value: Decimal) -> Decimal:
    """Half-up (四舍五入) to two places, the rounding of every printed figure."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def in_unit(value_yuan: Decimal | None, money_unit: str) -> Decimal | None:
    """An amount stored in 元 as printed in `money_unit`, rounded to two places."""
    if value_yuan is None:
        return None
    return round2(value_yuan / WAN if money_unit == WAN_YUAN else value_yuan)


def to_decimal(value) -> Decimal | None:
    """Read a stored figure (Decimal, int or the result's two-decimal strings); None if absent."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", "").rstrip("%"))
    except InvalidOperation:
        return None


def rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """Execution rate in percent from unrounded amounts; None without a positive budget."""
    if executed is None or budget is None or budget <= 0:
        return None
    return round2(executed / budget * HUNDRED)


def share(part: Decimal, whole: Decimal) -> Decimal:
    """A share in percent; 0 when the whole is 0 (seed 003 prints 0% for empty fund types)."""
    if not whole:
        return Decimal("0.00")
    return round2(part / whole * HUNDRED)


def fmt_amount(value: Decimal | None) -> str:
    """Thousands separators and two decimals, half-up; blank when absent.

    Rounded here rather than by the format spec: Decimal's `:.2f` rounds half-even (84.245 →
    84.24), and an amount in 万元 or a sum reaches this unrounded.
    """
    return "" if value is None else f"{round2(value):,.2f}"


def fmt_score(value: Decimal | None) -> str:
    """Two decimals; blank when absent."""
    return "" if value is None else f"{round2(value):.2f}"


def fmt_percent(value: Decimal | None) -> str:
    """Two decimals and a % sign; blank when absent."""
    return "" if value is None else f"{round2(value):.2f}%"


def plain(value: Decimal | None) -> str:
    """A figure without trailing zeros for prose (46 万元, 38.76 万元, 84.26%)."""
    if value is None:
        return ""
    text = f"{round2(value):.2f}"
    return text.rstrip("0").rstrip(".")


def money_text(value_yuan: Decimal | None, money_unit: str, *, grouping: bool = True) -> str:
    """An amount stored in 元 as a table prints it in `money_unit`: "57.99", "579,948.00"."""
    shown = in_unit(value_yuan, money_unit)
    if shown is None:
        return ""
    return fmt_amount(shown) if grouping else f"{shown:.2f}"


def money_prose(value_yuan: Decimal | None, money_unit: str) -> str:
    """An amount stored in 元 as the narrative states it, unit included: "57.99万元"; — if absent."""
    if value_yuan is None:
        return "—"
    return f"{plain(in_unit(value_yuan, money_unit))}{money_unit}"


def editable_amount(value_yuan: Decimal | None, money_unit: str, *, grouping: bool = True) -> str:
    """An amount put back into an input field: exact (up to six places in 万元), never rounded."""
    if value_yuan is None:
        return ""
    if money_unit == WAN_YUAN:
        value = (value_yuan / WAN).quantize(Decimal("0.000001"))
        text = f"{value:,f}" if grouping else f"{value:f}"
        integer, _, decimals = text.partition(".")
        return f"{integer}.{decimals.rstrip('0').ljust(2, '0')}"
    value = value_yuan.quantize(CENT)
    return f"{value:,.2f}" if grouping else f"{value:.2f}"


def score_prose(value) -> str:
    """A score or weight as prose prints it ("18.75", "20"); — if absent."""
    number = to_decimal(value)
    return "—" if number is None else plain(number)


def percent_prose(value) -> str:
    """A rate as prose prints it ("84.25%", "100%"); — if absent."""
    number = to_decimal(value)
    return "—" if number is None else f"{plain(number)}%"
