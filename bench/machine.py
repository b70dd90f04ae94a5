"""The machine a benchmark ran on, printed beside its figures: they mean nothing without it."""

import os
import platform
from pathlib import Path


def machine(*extra: str) -> str:
    """Host, CPU model, cores, load average and Python version, plus any `extra` versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    parts = [platform.node(), cpu, f"{os.cpu_count()} cores", f"load {load}"]
    parts.append(f"Python {platform.python_version()}")
    return " · ".join([*parts, *extra])
