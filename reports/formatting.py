"""Money, rate and score arithmetic for reports: Decimal only, half-up to two places."""

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
    """Thousands separators and two decimals; blank when absent."""
    return "" if value is None else f"{value:,.2f}"


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
