"""Reading PDFs back the way a reader (or a checker) would: text, fonts, rendered pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "reports"


def pages_text(data: bytes) -> list[str]:
    """Each page's extracted text with all whitespace removed (layout spacing is not content)."""
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in reader.pages]


def text(data: bytes) -> str:
    """The whole document's text, whitespace removed."""
    return "".join(pages_text(data))


def fonts(data: bytes) -> list[dict]:
    """Every font used on every page: its base name and whether its program is embedded."""
    reader = PdfReader(io.BytesIO(data))
    found = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = {
                "name": str(font.get("/BaseFont")),
                "embedded": embedded,
                "to_unicode": "/ToUnicode" in font,
            }
    return list(found.values())


def render_pngs(data: bytes, name: str, dpi: int = 60) -> list[Path]:
    """Render every page to artifacts/reports/<name>-N.png with pdftoppm (kept by CI)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "需要 poppler-utils（pdftoppm）"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(data)
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", str(pdf_path), str(ARTIFACTS / name)],
        check=True,
        timeout=120,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def spaced_text(data: bytes) -> str:
    """The whole document's text with each run of whitespace kept as one space, so adjacent
    table cells ("57.99" "100.00") stay two figures instead of running together."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(re.sub(r"\s+", " ", page.extract_text() or "") for page in reader.pages)
