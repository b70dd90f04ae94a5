"""What an uploaded file must be before anything reads it: small, .xlsx or .json, no macros."""

from __future__ import annotations

import io
import zipfile

MAX_BYTES = 5 * 1024 * 1024
# A workbook of a few MB never unpacks to more than this; larger is a zip bomb, not a table.
MAX_UNPACKED = 60 * 1024 * 1024
XLSX = "xlsx"
JSON = "json"

_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
_OTHER_SPREADSHEETS = (".xls", ".xlsb", ".et", ".ods", ".csv")


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


def _check_workbook(data: bytes) -> None:
    """A real Office Open XML workbook without a VBA project."""
    not_xlsx = "文件内容不是有效的 Excel 工作簿（.xlsx）。如果是把其他文件改了扩展名，请在 Excel 中另存为 .xlsx。"
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
                raise UploadRefused("工作簿解压后过大，不是正常的自评表，请检查文件。")
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise UploadRefused(not_xlsx)
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise UploadRefused(
                    "工作簿中含有宏（VBA），出于安全考虑不予接受，请另存为不含宏的 .xlsx。"
                )
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if "macroEnabled" in content_types or "vbaProject" in content_types:
                raise UploadRefused(
                    "工作簿中含有宏（VBA），出于安全考虑不予接受，请另存为不含宏的 .xlsx。"
                )
    except zipfile.BadZipFile as exc:
        raise UploadRefused(not_xlsx) from exc
