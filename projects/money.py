"""Money and figure conversions shared by import, export and the reports; Decimal only."""

from decimal import Decimal

from scoring.engine import numbers

TEN_THOUSAND = Decimal(10000)


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
