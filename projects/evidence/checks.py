"""What an evidence file may be: its kind by extension AND by its first bytes, and its size.

The extension alone is what the filer chose to call the file; the first bytes are what it is.
Both must name the same accepted kind, so a renamed executable or HTML page is refused. The
Office and OFD kinds are ZIP containers: their directory must hold the part that makes them a
document of that kind (read from the central directory only, nothing is unpacked).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: its label, content type and how its bytes start."""

    label: str
    content_type: str
    magic: bytes
    zip_part: str = ""  # for ZIP containers: a member (or folder prefix) the kind must hold


KINDS = {
    "pdf": Kind("PDF", "application/pdf", b"%PDF-"),
    "jpg": Kind("JPG", "image/jpeg", b"\xff\xd8\xff"),
    "jpeg": Kind("JPG", "image/jpeg", b"\xff\xd8\xff"),
    "png": Kind("PNG", "image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": Kind(
        "Word（docx）",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
        "word/",
    ),
    "xlsx": Kind(
        "Excel（xlsx）",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
        "xl/",
    ),
    "ofd": Kind("OFD", "application/ofd", b"PK\x03\x04", "OFD.xml"),
}
DEFAULT_TYPES = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "ofd")
DEFAULT_MAX_MB = 20


def accepted_extensions() -> tuple[str, ...]:
    """The extensions the settings accept, in their order, known kinds only."""
    wanted = getattr(settings, "EVIDENCE_TYPES", DEFAULT_TYPES)
    return tuple(ext for ext in wanted if ext in KINDS)


def max_bytes() -> int:
    """The largest accepted file, in bytes."""
    return int(getattr(settings, "EVIDENCE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def max_mb() -> int:
    """The largest accepted file, in MB, as the page states it."""
    return int(getattr(settings, "EVIDENCE_MAX_MB", DEFAULT_MAX_MB))


def limits_text() -> str:
    """The limits as the upload control states them: 支持 PDF、JPG、PNG …，单个文件不超过 20 MB。"""
    labels = list(dict.fromkeys(KINDS[ext].label for ext in accepted_extensions()))
    return f"支持 {'、'.join(labels)} 格式，单个文件不超过 {max_mb()} MB。"


def accept_attribute() -> str:
    """The file input's `accept`: a hint to the browser's picker, not a check."""
    return ",".join(f".{ext}" for ext in accepted_extensions())


def check(upload) -> Kind:
    """The kind of an uploaded file, or ValidationError (a Chinese message for the field)."""
    name = (getattr(upload, "name", "") or "").strip()
    if not name:
        raise ValidationError({"file": "请选择要上传的文件。"})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationError({"file": "文件为空，请重新选择。"})
    if size > max_bytes():
        raise ValidationError({"file": f"文件“{name}”大小超过 {max_mb()} MB，请压缩或拆分后上传。"})
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    if ext not in accepted_extensions():
        raise ValidationError({"file": f"不支持文件“{name}”的格式。{limits_text()}"})
    kind = KINDS[ext]
    upload.seek(0)
    head = upload.read(len(kind.magic))
    upload.seek(0)
    if head != kind.magic or (kind.zip_part and not _holds(upload, kind.zip_part)):
        raise ValidationError(
            {
                "file": f"文件“{name}”的内容与扩展名不符（不是有效的 {kind.label} 文件），请检查后重新上传。"
            }
        )
    return kind


def _holds(upload, part: str) -> bool:
    """True when the ZIP container's directory names `part` (a file, or a folder's prefix)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    if part.endswith("/"):
        return any(n.startswith(part) for n in names)
    return part in names
