"""The department package PDF, laid out part by part and joined, so memory stays bounded.

WeasyPrint holds the whole layout of a document in memory (a 495-page package took 1.6 GB), so
the package is cut into runs of a few documents (parts), each laid out on its own and kept in
storage under the hash of its HTML: a department where one filing changed lays out one part again,
not the package. The cover and contents are laid out last, when every document's page is known;
then the parts are joined with pikepdf (qpdf), the outline gets one entry per document, and the
page numbers (第 N 页 共 M 页, as every print has) are laid over each page from one small
WeasyPrint document of empty pages.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pikepdf
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from reports import pdf

PART_SIZE = 6  # documents per part: a few pages of layout in memory at a time
PART_DIR = "documents/parts"
# What else decides a part's bytes besides its HTML: the stylesheet and the renderer.
_SALT = None


def _salt() -> str:
    global _SALT
    if _SALT is None:
        css = pdf.PRINT_CSS.read_bytes()
        _SALT = hashlib.sha256(css + version("weasyprint").encode()).hexdigest()
    return _SALT


@dataclass
class Part:
    """One laid-out run of documents: its PDF and the page (from 0) where each document starts."""

    content: bytes
    starts: list[int]

    @property
    def page_count(self) -> int:
        with pikepdf.open(io.BytesIO(self.content)) as document:
            return len(document.pages)


def _lay_out(html: str, anchors: list[str]) -> Part:
    document = pdf.html_to_document(html)
    where = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            where.setdefault(name, number)
    starts = [where.get(anchor, 0) for anchor in anchors]
    return Part(document.write_pdf(), starts)


def render_part(package, documents) -> Part:
    """A run of the package's documents as PDF, from storage when this HTML was laid out before."""
    html = render_to_string(
        "reports/print/package_part.html", {"p": package, "documents": documents}
    )
    key = hashlib.sha256((_salt() + html).encode("utf-8")).hexdigest()
    name = f"{PART_DIR}/{key[:2]}/{key}"
    if default_storage.exists(f"{name}.json") and default_storage.exists(f"{name}.pdf"):
        with default_storage.open(f"{name}.pdf", "rb") as stored:
            content = stored.read()
        with default_storage.open(f"{name}.json", "rb") as meta:
            return Part(content, json.loads(meta.read())["starts"])
    part = _lay_out(html, [d.anchor for d in documents])
    default_storage.save(f"{name}.pdf", ContentFile(part.content))
    default_storage.save(f"{name}.json", ContentFile(json.dumps({"starts": part.starts}).encode()))
    return part


def _front(package, starts: list[int]) -> tuple[bytes, int]:
    """Cover and contents: the contents' length decides where the documents begin, so lay it out
    until the page count it assumed is the one it has (once or twice: it is a list of titles)."""
    assumed = 2
    for _ in range(5):
        entries = [
            (d, assumed + start + 1) for d, start in zip(package.documents, starts, strict=True)
        ]
        html = render_to_string(
            "reports/print/package_front.html", {"p": package, "entries": entries}
        )
        document = pdf.html_to_document(html)
        if len(document.pages) == assumed:
            return document.write_pdf(), assumed
        assumed = len(document.pages)
    raise RuntimeError("目录页数无法确定")


NUMBER_RUN = 50  # pages of numbers laid out at a time: an 800-page layout held 130 MB


def _page_numbers(first: int, count: int, total: int) -> bytes:
    """Pages `first`…`first + count - 1` of the numbers (page 1, the cover, carries none)."""
    context = {
        "breaks": range(count - 1),
        "first": first,
        "total": total,
        "skip_first": first == 1,
    }
    return pdf.html_to_pdf(render_to_string("reports/print/page_numbers.html", context))


def _number(joined, total: int) -> None:
    """Lay 第 N 页 共 M 页 over every page after the cover, a run of pages at a time."""
    for start in range(0, total, NUMBER_RUN):
        count = min(NUMBER_RUN, total - start)
        with pikepdf.open(io.BytesIO(_page_numbers(start + 1, count, total))) as numbers:
            for offset in range(count):
                if start + offset:
                    joined.pages[start + offset].add_overlay(numbers.pages[offset])


def package_pdf(package, out) -> int:
    """Write the package PDF to the binary file `out`; return its page count.

    Each laid-out part goes to a temporary file as soon as it is made, and qpdf reads the parts
    from there while joining: the process holds one part's layout at a time, never the package.
    """
    documents = package.documents
    runs = [documents[i : i + PART_SIZE] for i in range(0, len(documents), PART_SIZE)]
    starts: list[int] = []  # each document's first page, counted from the first document
    offset = 0
    with tempfile.TemporaryDirectory(prefix="package-") as folder:
        paths = []
        for number, run in enumerate(runs):
            part = render_part(package, run)
            path = Path(folder) / f"part-{number:05d}.pdf"
            path.write_bytes(part.content)
            paths.append(path)
            starts.extend(offset + start for start in part.starts)
            offset += part.page_count
            del part
        front_pdf, front_pages = _front(package, starts)
        front = Path(folder) / "front.pdf"
        front.write_bytes(front_pdf)
        return _join(package, [front, *paths], front_pages, starts, out)


def _join(package, paths, front_pages: int, starts: list[int], out) -> int:
    sources = []
    try:
        with pikepdf.new() as joined:
            for path in paths:
                source = pikepdf.open(path)
                sources.append(source)
                joined.pages.extend(source.pages)
            total = len(joined.pages)
            _number(joined, total)
            with joined.open_outline() as outline:
                outline.root.extend(
                    pikepdf.OutlineItem(d.bookmark, front_pages + start)
                    for d, start in zip(package.documents, starts, strict=True)
                )
            joined.docinfo["/Title"] = f"{package.report.department_name}{package.title}"
            joined.docinfo["/Author"] = package.report.department_name
            joined.save(out)
    finally:
        for source in sources:
            source.close()
    return total
