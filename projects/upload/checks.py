"""What an uploaded file must be before anything reads it: small, .xlsx or .json, no macros.

A workbook is a zip archive, and everything after this module (openpyxl, the reader) trusts it to
unpack. So every member is unpacked here once, in bounded chunks, before the file goes further:
a damaged deflate stream, a compression method Python cannot read or an encrypted member is then
a refusal with a message for the filer, never an exception in the middle of the page.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

MAX_BYTES = 5 * 1024 * 1024
# A workbook of a few MB never unpacks to more than this; larger is a zip bomb, not a table.
MAX_UNPACKED = 60 * 1024 * 1024
# 500 sheets (workbook.MAX_SHEETS), each with its relationships, comments and drawings, stay
# well under this; a real .xlsx never has thousands of parts.
MAX_MEMBERS = 2000
XLSX = "xlsx"
JSON = "json"

_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
_OTHER_SPREADSHEETS = (".xls", ".xlsb", ".et", ".ods", ".csv")
# Excel writes deflate (and stores tiny parts); anything else is not a workbook Excel saved.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_FLAG_ENCRYPTED = 0x1
_FLAG_PATCHED = 0x20
_FLAG_STRONG_ENCRYPTION = 0x40
_CHUNK = 64 * 1024
# A password-protected workbook is not a zip: Office wraps it in an OLE compound file, as .xls is.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What zipfile and zlib raise on a damaged archive; each one is the file's fault, not ours.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    struct.error,
)

_NOT_XLSX = "文件内容不是有效的 Excel 工作簿（.xlsx）。如果是把其他文件改了扩展名，请在 Excel 中另存为 .xlsx。"
_TOO_LARGE = "工作簿解压后过大，不是正常的自评表，请检查文件。"
_MACROS = "工作簿中含有宏（VBA），出于安全考虑不予接受，请另存为不含宏的 .xlsx。"


class UploadRefused(Exception):
    """The file is refused as a whole, with a message for the person who sent it."""


def file_kind(name: str, data: bytes) -> str:
    """Return "xlsx" or "json" for an acceptable file; raise UploadRefused otherwise."""
    lower = (name or "").lower().strip()
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        raise UploadRefused(f"文件大小为 {size:.1f} MB，超过 5 MB 的上限，请拆分后分别上传。")
    if not data:
        raise UploadRefused("文件是空的。")
    if lower.endswith(_MACRO_SUFFIXES):
        raise UploadRefused(
            "不接受含宏的工作簿（.xlsm 等），请另存为“Excel 工作簿（*.xlsx）”后上传。"
        )
    if lower.endswith(_OTHER_SPREADSHEETS):
        raise UploadRefused("只接受 .xlsx 工作簿或 .json 文件，请在 Excel 中另存为 .xlsx 后上传。")
    if lower.endswith(".json"):
        return JSON
    if lower.endswith(".xlsx"):
        _check_workbook(data)
        return XLSX
    raise UploadRefused("只接受 .xlsx 工作簿或 selfeval/1 格式的 .json 文件。")


def _shown(member: str) -> str:
    """A member's name short enough to quote in a message (it comes from the file itself)."""
    return member if len(member) <= 60 else member[:57] + "…"


def _check_workbook(data: bytes) -> None:
    """A real Office Open XML workbook without a VBA project, every member of which unpacks."""
    if data.startswith(_OLE_MAGIC):
        raise UploadRefused(
            "这是旧版 Excel（.xls）文件或设置了打开密码的工作簿，无法读取。"
            "请取消密码并在 Excel 中另存为“Excel 工作簿（*.xlsx）”后上传。"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(_NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:  # no readable central directory: not a zip, or cut short
        raise UploadRefused(_NOT_XLSX) from exc
    with archive:
        entries = archive.infolist()
        _check_directory(entries)
        names = {entry.filename for entry in entries}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UploadRefused(_NOT_XLSX)
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise UploadRefused(_MACROS)
        try:
            content_types = _unpack_all(archive, entries)
        except _DAMAGED as exc:
            raise UploadRefused(
                "工作簿已损坏，无法解压。请在 Excel 中打开它并另存为 .xlsx 后重新上传。"
            ) from exc
    text = content_types.decode("utf-8", "replace")
    if "macroEnabled" in text or "vbaProject" in text:
        raise UploadRefused(_MACROS)


def _check_directory(entries: list[zipfile.ZipInfo]) -> None:
    """What the central directory alone gives away: count, names, methods, flags, sizes."""
    if len(entries) > MAX_MEMBERS:
        raise UploadRefused(
            f"工作簿内部包含 {len(entries)} 个文件，超过 {MAX_MEMBERS} 个的上限，"
            "不是正常的自评表，请检查文件。"
        )
    # Part names in Office Open XML compare without regard to case, so "A.xml" and "a.xml" are
    # the same part twice: which one a reader takes is up to the reader.
    seen: set[str] = set()
    for entry in entries:
        key = entry.filename.casefold()
        if key in seen:
            raise UploadRefused(
                f"工作簿内部有重名的文件（{_shown(entry.filename)}），文件已损坏，"
                "请在 Excel 中打开并另存为 .xlsx 后重新上传。"
            )
        seen.add(key)
    for entry in entries:
        if entry.flag_bits & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION):
            raise UploadRefused(
                f"工作簿内部文件已加密（{_shown(entry.filename)}），无法读取。"
                "请取消密码后在 Excel 中另存为 .xlsx 再上传。"
            )
        if entry.compress_type not in _METHODS or entry.flag_bits & _FLAG_PATCHED:
            raise UploadRefused(
                f"工作簿内部文件使用了不支持的压缩方式（{_shown(entry.filename)}），"
                "请在 Excel 中另存为 .xlsx 后上传。"
            )
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise UploadRefused(_TOO_LARGE)


def _unpack_all(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> bytes:
    """Unpack every member in chunks, counting real bytes (declared sizes can lie), checking
    each CRC; returns [Content_Types].xml, which the macro check reads."""
    total = 0
    content_types = b""
    for entry in entries:
        wanted = entry.filename == "[Content_Types].xml"
        parts = []
        real = 0
        with archive.open(entry) as member:
            while chunk := member.read(_CHUNK):
                real += len(chunk)
                total += len(chunk)
                if real > entry.file_size or total > MAX_UNPACKED:
                    raise UploadRefused(_TOO_LARGE)
                if wanted:
                    parts.append(chunk)
        if real != entry.file_size:
            # zipfile stops at the declared size; a member that ends early is damaged.
            raise EOFError(entry.filename)
        if wanted:
            content_types = b"".join(parts)
    return content_types
