"""PDF rendering with WeasyPrint from the same templates as the screen, plus the print stylesheet.

A PDF without a CJK font is unreadable (every character a box), so rendering refuses to run when
fontconfig does not know Noto CJK and says how to install it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_spaces_between_tags

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"
CJK_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "apt-get install fonts-noto-cjk"

# WeasyPrint narrates every layout step at INFO; a batch export would drown the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class FontMissing(RuntimeError):
    """Raised when the CJK font the PDFs need is not installed."""

    def __init__(self):
        super().__init__(
            f"未找到中文字体“{CJK_FAMILY}”，无法生成 PDF。请由系统管理员安装：{INSTALL_HINT}"
        )


@lru_cache(maxsize=1)
def cjk_font_installed() -> bool:
    """Ask fontconfig (once per process) whether Noto Sans CJK SC is installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        output = subprocess.run(
            [fc_list, f":family={CJK_FAMILY}", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return CJK_FAMILY in output


def require_cjk_font() -> None:
    """Raise FontMissing unless the CJK font is installed."""
    if not cjk_font_installed():
        raise FontMissing()


_lock = threading.Lock()
_state: dict = {}


def _weasy():
    """One FontConfiguration and one parsed stylesheet per process: the warm path is fast."""
    with _lock:
        if not _state:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            font_config = FontConfiguration()
            _state["font_config"] = font_config
            _state["css"] = CSS(filename=str(PRINT_CSS), font_config=font_config)
        return _state["font_config"], _state["css"]


def html_to_document(html: str):
    """Lay an HTML string out with the print stylesheet: WeasyPrint's Document, not yet a PDF.

    The package needs the layout itself (which page each document starts on) before writing.
    """
    require_cjk_font()
    from weasyprint import HTML

    font_config, css = _weasy()
    # Indentation between tags is nothing to print but costs parsing and layout.
    source = HTML(string=strip_spaces_between_tags(html), base_url=str(settings.BASE_DIR))
    return source.render(stylesheets=[css], font_config=font_config)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML string to PDF bytes with the print stylesheet."""
    return html_to_document(html).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    """Render one of the templates/reports/print/ templates to PDF bytes."""
    require_cjk_font()
    return html_to_pdf(render_to_string(template, context))
