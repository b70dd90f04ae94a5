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
from dataclasses import dataclass
from importlib.metadata import version

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


def _page_numbers(total: int) -> bytes:
    html = render_to_string("reports/print/page_numbers.html", {"pages": range(total - 1)})
    return pdf.html_to_pdf(html)


def package_pdf(package, out) -> int:
    """Write the package PDF to the binary file `out`; return its page count."""
    documents = package.documents
    runs = [documents[i : i + PART_SIZE] for i in range(0, len(documents), PART_SIZE)]
    parts = []
    starts: list[int] = []  # each document's first page, counted from the first document
    offset = 0
    for run in runs:
        part = render_part(package, run)
        parts.append(part)
        starts.extend(offset + start for start in part.starts)
        offset += part.page_count
    front_pdf, front_pages = _front(package, starts)

    sources = []
    with pikepdf.new() as joined:
        for content in [front_pdf, *(p.content for p in parts)]:
            source = pikepdf.open(io.BytesIO(content))
            sources.append(source)
            joined.pages.extend(source.pages)
        total = len(joined.pages)
        numbers = pikepdf.open(io.BytesIO(_page_numbers(total)))
        sources.append(numbers)
        for index in range(1, total):
            joined.pages[index].add_overlay(numbers.pages[index])
        with joined.open_outline() as outline:
            outline.root.extend(
                pikepdf.OutlineItem(d.bookmark, front_pages + start)
                for d, start in zip(documents, starts, strict=True)
            )
        joined.docinfo["/Title"] = f"{package.report.department_name}{package.title}"
        joined.docinfo["/Author"] = package.report.department_name
        joined.save(out)
    for source in sources:
        source.close()
    return total
