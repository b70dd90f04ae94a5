"""Decimal helpers shared by the engine: one rounding rule, one number reader, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# Printed numbers: optional sign, thousands separators only in groups of three, no exponent, and
# at most 15 integer digits so every later quantize stays inside the default 28-digit context.
NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d{1,12})?|[+-]?\.\d{1,12}"
_PRINTED = re.compile(rf"^(?P<num>{NUMBER})(?P<pct>%)?(?:分)?$")
BLANK = frozenset({"", "-", "--", "—", "——", "/", "／", "－"})  # cells printed as empty


def to_units(value: Decimal) -> int:
    """A weight as an exact integer of 10⁻¹² points: sums of many rows add ints, not Decimals."""
    return int(value.scaleb(12))  # printed numbers carry at most 12 decimals


def from_units(units: int) -> Decimal:
    """The Decimal a sum of to_units() values stands for."""
    return Decimal(units).scaleb(-12)


def round2(value: Decimal) -> Decimal:
    """Round half-up (四舍五入) to two places, the only rounding the rules allow."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(digits: str) -> Decimal:
    """Turn a matched number (maybe with thousands separators) into a Decimal."""
    return Decimal(digits.replace(",", "")) if "," in digits else Decimal(digits)


def is_blank(text: str | None) -> bool:
    """Tell whether a printed cell is empty or a placeholder dash, as tables print blanks."""
    return text is None or text.strip() in BLANK


def parse_printed_number(text: str) -> tuple[Decimal, bool] | None:
    """Read a printed amount, weight or score ("1,947,970", "84.25%", "10分"); None if not one."""
    cleaned = text.strip().replace("％", "%").replace(" ", "")
    match = _PRINTED.match(cleaned)
    if match is None:
        return None
    try:
        return to_decimal(match["num"]), match["pct"] is not None
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def plain(value: Decimal) -> str:
    """Print a Decimal without exponent or trailing zeros, as a person would write it."""
    text = str(value)
    if "E" in text:
        text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def two_places(value: Decimal) -> str:
    """Print a score or rate with exactly two decimals, as selfeval-result/1 requires."""
    text = format(round2(value), "f")
    return "0.00" if text == "-0.00" else text
