"""Shared pieces of the 佐证材料 tests: files of each kind, a filing of department A's
subordinate unit (carol files it, dora reviews it), and an attach helper."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from projects.evidence.services import evidence_attach
from tests.projects.test_review_support import build_evaluation, subordinate_of_a

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office(part: str) -> bytes:
    """A ZIP container holding one member (word/document.xml makes a docx)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """A file as the browser posts it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class EvidenceWorld:
    """Department A's subordinate unit's draft filing, with carol its filer."""

    personas: object
    unit: object
    carol: object
    evaluation: object

    @property
    def indicator(self):
        return self.evaluation.project.indicators.order_by("order").first()

    @property
    def fund_line(self):
        return self.evaluation.project.fund_lines.order_by("pk").first()

    def attach(self, name="验收报告.pdf", content=PDF, **target):
        """carol attaches a file (to the report unless an indicator or fund line is given)."""
        return evidence_attach(
            evaluation=self.evaluation, user=self.carol, file=upload(name, content), **target
        )


def make_world(personas) -> EvidenceWorld:
    """carol's draft filing (three indicators, two fund lines), scored."""
    sub = subordinate_of_a(personas)
    evaluation = build_evaluation(sub.unit, name="区政务服务中心运行经费")
    return EvidenceWorld(personas, sub.unit, sub.carol, evaluation)
