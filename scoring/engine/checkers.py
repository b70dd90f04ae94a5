"""Value checkers of the rule-set loader: each returns the converted value or raises ValueError
with a Chinese reason, which the loader prefixes with the file and key."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal


def decimal_of(value: object) -> Decimal:
    """A TOML integer or decimal (parse_float=Decimal), never a bool."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"应为数值，实为 {value!r}")
    return Decimal(value)


def non_negative(value: object) -> Decimal:
    """A number of 0 or more."""
    number = decimal_of(value)
    if number < 0:
        raise ValueError(f"不能为负数：{value}")
    return number


def positive(value: object) -> Decimal:
    """A number above 0."""
    number = decimal_of(value)
    if number <= 0:
        raise ValueError(f"须大于 0：{value}")
    return number


def percent(value: object) -> Decimal:
    """A percentage from 0 to 100."""
    number = non_negative(value)
    if number > 100:
        raise ValueError(f"须在 0 到 100 之间：{value}")
    return number


def choice(options: tuple[str, ...]) -> Callable[[object], str]:
    """A checker accepting only the listed options."""

    def check(value: object) -> str:
        """Accept only one of the listed options."""
        if value not in options:
            raise ValueError(f"须为 {' / '.join(options)} 之一，实为 {value!r}")
        return value

    return check


def boolean(value: object) -> bool:
    """true or false, never 0 or 1."""
    if not isinstance(value, bool):
        raise ValueError(f"应为 true 或 false，实为 {value!r}")
    return value


def count(value: object) -> int:
    """A non-negative integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"应为非负整数，实为 {value!r}")
    return value


def words(value: object) -> tuple[str, ...]:
    """A list of non-empty strings."""
    if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
        raise ValueError("应为非空字符串的列表")
    return tuple(value)


def table_of(value: object, keys: tuple[str, ...] | None = None) -> dict:
    """A table, with exactly the given keys when keys are given."""
    if not isinstance(value, dict):
        raise ValueError("应为表（键值对）")
    if keys is not None:
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise ValueError(f"未知的键 {'、'.join(unknown)}（允许：{'、'.join(keys)}）")
        missing = [k for k in keys if k not in value]
        if missing:
            raise ValueError(f"缺少键 {'、'.join(missing)}")
    return value


def records(value: object, keys: tuple[str, ...]) -> list[dict]:
    """A list of tables, each with exactly the given keys."""
    if not isinstance(value, list):
        raise ValueError("应为表的列表")
    for i, item in enumerate(value):
        try:
            table_of(item, keys)
        except ValueError as exc:
            raise ValueError(f"第 {i + 1} 项：{exc}") from None
    return value
