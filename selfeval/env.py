"""Typed readers of the environment that fail loudly, so a misconfigured server never starts."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    """Return a string variable; without a default, a missing variable is an error."""
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean variable, refusing anything but the usual spellings."""
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 true 或 false，实际为 {value!r}")


def env_int(name: str, default: int) -> int:
    """Return an integer variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为 {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated list variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
