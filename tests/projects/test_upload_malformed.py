"""Malformed uploads: every damaged workbook or JSON file is refused in Chinese, never a 500.

The damaged workbooks are made here from a real one by byte surgery on the zip headers and the
deflate streams, the way the fuzzer (bench/bench_upload_fuzz.py) found them.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from projects.upload import jsonload
from projects.upload.checks import (
    MAX_BYTES,
    MAX_MEMBERS,
    MAX_UNPACKED,
    XLSX,
    UploadRefused,
    file_kind,
)
from projects.upload.jsonload import limits_text, load_json
from scoring.engine.document import read_document

UPLOAD = reverse("projects:upload")
CONTENT_TYPES = "[Content_Types].xml"
SHEET = "xl/worksheets/sheet1.xml"

# ---------------------------------------------------------------- building damaged workbooks


@cache
def good_workbook() -> bytes:
    """A small real .xlsx, as openpyxl (like Excel) writes it: every member deflated."""
    book = Workbook()
    sheet = book.active
    for row in range(1, 200):
        sheet.append([f"指标{row}", row, "≥1600家", "1500家"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _central_header(data: bytes, member: str) -> int:
    """Offset of `member`'s entry in the central directory."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir
    while True:
        assert data[position : position + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
        if data[position + 46 : position + 46 + name_len].decode() == member:
            return position
        position += 46 + name_len + extra_len + comment_len


def _local_header(data: bytes, member: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.getinfo(member).header_offset


def _stream(data: bytes, member: str) -> tuple[int, int]:
    """Where `member`'s compressed bytes start in the file, and how many there are."""
    local = _local_header(data, member)
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        size = archive.getinfo(member).compress_size
    return local + 30 + name_len + extra_len, size


def patched(data: bytes, member: str, *, central=(), local=()) -> bytes:
    """Overwrite (offset, struct format, value) fields of one member's two headers."""
    out = bytearray(data)
    for where, fields in (
        (_central_header(data, member), central),
        (_local_header(data, member), local),
    ):
        for offset, fmt, value in fields:
            struct.pack_into(fmt, out, where + offset, value)
    return bytes(out)


def with_method(member: str, method: int) -> bytes:
    return patched(good_workbook(), member, central=[(10, "<H", method)], local=[(8, "<H", method)])


def with_flag(member: str, bit: int) -> bytes:
    data = good_workbook()
    central = _central_header(data, member)
    (flags,) = struct.unpack_from("<H", data, central + 8)
    return patched(data, member, central=[(8, "<H", flags | bit)], local=[(6, "<H", flags | bit)])


def with_declared_size(member: str, size: int) -> bytes:
    return patched(good_workbook(), member, central=[(24, "<I", size)], local=[(22, "<I", size)])


def with_stream_bytes(member: str, at: float, replacement: bytes) -> bytes:
    """Replace bytes at a fraction `at` of the member's deflate stream."""
    data = bytearray(good_workbook())
    start, size = _stream(bytes(data), member)
    position = start + int(size * at)
    data[position : position + len(replacement)] = replacement
    return bytes(data)


def flipped(member: str) -> bytes:
    """Every byte in the middle third of the member's deflate stream inverted."""
    data = bytearray(good_workbook())
    start, size = _stream(bytes(data), member)
    for position in range(start + size // 3, start + 2 * size // 3):
        data[position] ^= 0xFF
    return bytes(data)


def rebuilt(extra: list[tuple[str, bytes]]) -> bytes:
    """The good workbook with `extra` members appended (zipfile warns on duplicates)."""
    source = zipfile.ZipFile(io.BytesIO(good_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, content in extra:
            target.writestr(name, content)
    return out.getvalue()


def refusal(data: bytes, name: str = "自评表.xlsx") -> str:
    with pytest.raises(UploadRefused) as caught:
        file_kind(name, data)
    return str(caught.value)


DAMAGED = "工作簿已损坏，无法解压"


# ---------------------------------------------------------------- checks.py: the workbook


def test_the_good_workbook_passes():
    assert file_kind("自评表.xlsx", good_workbook()) == XLSX


# A reserved deflate block type (BTYPE 11) in the first byte: zlib.error on the first read.
@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET, "xl/workbook.xml"])
def test_a_corrupt_deflate_stream_in_any_member_is_refused(member):
    assert DAMAGED in refusal(with_stream_bytes(member, 0, b"\xff"))


@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET])
def test_flipped_bytes_inside_a_deflate_stream_are_refused(member):
    assert DAMAGED in refusal(flipped(member))


def test_a_stream_that_inflates_to_the_wrong_bytes_fails_its_crc():
    data = good_workbook()
    central = _central_header(data, SHEET)
    (crc,) = struct.unpack_from("<I", data, central + 16)
    bad = patched(data, SHEET, central=[(16, "<I", crc ^ 1)], local=[(14, "<I", crc ^ 1)])
    assert DAMAGED in refusal(bad)


@pytest.mark.parametrize("method", [99, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA, 1])
@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET])
def test_an_unsupported_compression_method_is_refused(member, method):
    assert "不支持的压缩方式" in refusal(with_method(member, method))


@pytest.mark.parametrize("bit", [0x1, 0x40])
@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET])
def test_an_encrypted_member_is_refused(member, bit):
    assert "已加密" in refusal(with_flag(member, bit))


def test_a_compressed_patch_member_is_refused():
    assert "不支持的压缩方式" in refusal(with_flag(SHEET, 0x20))


def test_a_member_declaring_more_than_the_unpacked_limit_is_refused():
    assert "解压后过大" in refusal(with_declared_size(SHEET, MAX_UNPACKED + 1))


def test_members_declaring_more_than_the_limit_together_are_refused():
    half = MAX_UNPACKED // 2 + 1
    data = with_declared_size(SHEET, half)
    data = patched(data, CONTENT_TYPES, central=[(24, "<I", half)], local=[(22, "<I", half)])
    assert "解压后过大" in refusal(data)


@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET])
def test_a_member_unpacking_to_less_than_it_declares_is_refused(member):
    with zipfile.ZipFile(io.BytesIO(good_workbook())) as archive:
        size = archive.getinfo(member).file_size
    assert DAMAGED in refusal(with_declared_size(member, size + 1000))


@pytest.mark.parametrize("member", [CONTENT_TYPES, SHEET])
def test_a_member_unpacking_to_more_than_it_declares_is_refused(member):
    # zipfile stops at the declared size, so the CRC of what it read cannot match.
    assert DAMAGED in refusal(with_declared_size(member, 10))


def test_a_zip_bomb_is_refused_by_its_declared_size():
    bomb = rebuilt([("xl/media/bomb.bin", b"\0" * (MAX_UNPACKED + 1))])
    assert len(bomb) < MAX_BYTES
    assert "解压后过大" in refusal(bomb)


def test_a_zip_bomb_that_lies_about_its_size_is_refused():
    bomb = rebuilt([("xl/media/bomb.bin", b"\0" * (MAX_UNPACKED + 1))])
    member = "xl/media/bomb.bin"
    lying = patched(bomb, member, central=[(24, "<I", 1000)], local=[(22, "<I", 1000)])
    assert DAMAGED in refusal(lying)


def test_too_many_members_are_refused():
    many = rebuilt([(f"xl/media/{i}.bin", b"") for i in range(MAX_MEMBERS)])
    assert f"超过 {MAX_MEMBERS} 个的上限" in refusal(many)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("name", [SHEET, "XL/Worksheets/Sheet1.xml"])
def test_duplicate_member_names_are_refused(name):
    assert "重名的文件" in refusal(rebuilt([(name, b"<worksheet/>")]))


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.999])
def test_a_truncated_workbook_is_refused(keep):
    data = good_workbook()
    assert "不是有效的 Excel 工作簿" in refusal(data[: int(len(data) * keep)])


def test_a_password_protected_workbook_is_named_as_such():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
    assert "设置了打开密码" in refusal(ole)


def test_the_existing_refusals_keep_their_messages():
    assert "不是有效的 Excel 工作簿" in refusal(b"a,b\n1,2\n")
    assert "含有宏" in refusal(rebuilt([("xl/vbaProject.bin", b"\0VBA")]))
    assert "超过 5 MB" in refusal(b"PK\x03\x04" + b"0" * MAX_BYTES)
    assert "文件是空的" in refusal(b"")


# ---------------------------------------------------------------- jsonload.py


def _seed() -> bytes:
    path = (
        Path(settings.BASE_DIR) / "fixtures" / "seed001-xiangshan-govoffice-2023-business-env.json"
    )
    return path.read_bytes()


def _loaded_refusal(data: bytes) -> str:
    with pytest.raises(UploadRefused) as caught:
        load_json(data, "自评.json")
    message = str(caught.value)
    assert message.startswith("自评.json：")
    return message


def test_a_real_document_loads_as_json_loads_reads_it():
    assert load_json(_seed(), "自评.json") == json.loads(_seed())


def test_a_byte_order_mark_is_accepted():
    assert load_json("\ufeff".encode() + _seed(), "自评.json") == json.loads(_seed())


def test_a_file_that_is_not_utf8_is_refused():
    data = json.dumps({"region": "淮北市相山区"}, ensure_ascii=False).encode("gbk")
    assert "须为 UTF-8 编码" in _loaded_refusal(data)


def test_invalid_json_is_refused_with_its_line_and_column():
    message = _loaded_refusal(b'{"format": "selfeval/1",\n  "kind": }')
    assert "不是有效的 JSON（第 2 行第 11 列" in message


@pytest.mark.parametrize("brackets", ["[]", "{}"])
def test_nesting_deeper_than_the_limit_is_refused_before_parsing(brackets):
    opening, closing = brackets
    data = (opening + '"a":' if opening == "{" else opening) * 100_000
    assert f"嵌套超过 {jsonload.MAX_DEPTH} 层" in _loaded_refusal(data.encode() + closing.encode())


def test_nesting_at_the_limit_is_accepted():
    depth = jsonload.MAX_DEPTH
    assert load_json(b"[" * depth + b"]" * depth, "自评.json") is not None
    assert "嵌套超过" in _loaded_refusal(b"[" * (depth + 1) + b"]" * (depth + 1))


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = '{"notes": {"a": "' + "[[[{{{" * 1000 + '\\"]]]' + '"}}'
    assert load_json(text.encode(), "自评.json")["notes"]["a"].startswith("[[[{{{")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(literal):
    assert f"出现了 {literal}" in _loaded_refusal(f'{{"year": {literal}}}'.encode())


@pytest.mark.parametrize(
    "literal", ["1e308", "-1e308", "1e400", "1.7976931348623157e308", "1e17", "10000000000000001"]
)
def test_numbers_beyond_the_bound_are_refused(literal):
    assert "超出范围" in _loaded_refusal(f'{{"year": {literal}}}'.encode())


def test_an_integer_of_thousands_of_digits_is_refused_without_converting_it():
    assert "超出范围" in _loaded_refusal(b'{"year": ' + b"9" * 100_000 + b"}")


def test_ordinary_numbers_are_read_as_json_reads_them():
    assert load_json(b'{"year": 2023, "x": -1.5, "y": 10000000000000000}', "a.json") == {
        "year": 2023,
        "x": -1.5,
        "y": 10**16,
    }


def test_a_file_over_five_megabytes_is_refused():
    assert "超过 5 MB" in _loaded_refusal(b" " * (MAX_BYTES + 1))


def test_a_huge_flat_array_is_refused_before_parsing():
    def array(count):
        return b"[" + b"0," * (count - 1) + b"0]"

    assert len(load_json(array(jsonload.MAX_ITEMS - 1), "a.json")) == jsonload.MAX_ITEMS - 1
    assert len(array(jsonload.MAX_ITEMS + 1)) < MAX_BYTES
    assert "超过 200,000 个" in _loaded_refusal(array(jsonload.MAX_ITEMS + 1))


@pytest.mark.parametrize(
    ("key", "limit", "item"),
    [
        ("indicators", jsonload.MAX_INDICATORS, {}),
        ("funds", jsonload.MAX_FUNDS, {}),
        ("notes", jsonload.MAX_NOTES, None),
    ],
)
def test_more_rows_than_the_limit_are_refused(key, limit, item):
    def document(count):
        rows = {f"k{i}": "正文" for i in range(count)} if item is None else [item] * count
        return json.dumps({key: rows}).encode()

    assert load_json(document(limit), "a.json")[key]
    assert f"超过 {limit:,}" in _loaded_refusal(document(limit + 1))


def test_full_width_digits_in_number_strings_are_folded():
    document = json.loads(_seed())
    document["funds"][0].update(
        initial="４６．００", executed=" ３８．７６ ", claimed_rate="８４．２６％"
    )
    document["indicators"][0].update(weight="２０", claimed_score="１８．７５", actual="１５００家")
    document["claimed"] = {"total": "９７．１８", "grade": "优"}
    loaded = load_json(json.dumps(document, ensure_ascii=False).encode(), "自评.json")
    assert loaded["funds"][0]["initial"] == "46.00"
    assert loaded["funds"][0]["executed"] == "38.76"
    assert loaded["funds"][0]["claimed_rate"] == "84.26%"
    assert loaded["indicators"][0]["weight"] == "20"
    assert loaded["indicators"][0]["claimed_score"] == "18.75"
    assert loaded["indicators"][0]["actual"] == "１５００家"  # text, left as typed
    assert loaded["claimed"] == {"total": "97.18", "grade": "优"}
    parsed = read_document(loaded)
    assert parsed.funds[0].executed.value == Decimal("38.76")
    assert parsed.claimed.total.value == Decimal("97.18")


def test_values_of_the_wrong_type_are_left_for_the_reader():
    loaded = load_json(b'{"funds": "none", "indicators": [3, {"weight": 5}], "claimed": []}', "a")
    assert loaded == {"funds": "none", "indicators": [3, {"weight": 5}], "claimed": []}
    assert load_json(b"[1, 2]", "a") == [1, 2]


def test_the_limits_are_stated_in_chinese():
    text = "\n".join(limits_text())
    for figure in (
        "5 MB",
        f"{MAX_UNPACKED // 1024 // 1024} MB",
        "500 个工作表",
        "1,000 行指标",
        f"{jsonload.MAX_DEPTH} 层",
        f"{jsonload.MAX_FUNDS} 行资金",
        f"{jsonload.MAX_NOTES} 段",
        "NaN",
    ):
        assert figure in text


# ---------------------------------------------------------------- the upload page


def _post(client, data: bytes, name: str):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), "purpose": "actuals"})


MALFORMED_WORKBOOKS = {
    "corrupt_deflate_content_types": lambda: with_stream_bytes(CONTENT_TYPES, 0, b"\xff"),
    "corrupt_deflate_sheet": lambda: with_stream_bytes(SHEET, 0, b"\xff"),
    "flipped_content_types": lambda: flipped(CONTENT_TYPES),
    "method_99": lambda: with_method(CONTENT_TYPES, 99),
    "method_lzma_sheet": lambda: with_method(SHEET, zipfile.ZIP_LZMA),
    "encrypted": lambda: with_flag(CONTENT_TYPES, 0x1),
    "strong_encryption": lambda: with_flag(SHEET, 0x40),
    "declared_huge": lambda: with_declared_size(SHEET, MAX_UNPACKED + 1),
    "declared_small": lambda: with_declared_size(CONTENT_TYPES, 10),
    "declared_large": lambda: with_declared_size(CONTENT_TYPES, 100_000),
    "duplicate": lambda: rebuilt([(SHEET, b"<worksheet/>")]),
    "truncated": lambda: good_workbook()[: len(good_workbook()) // 2],
    "ole": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", sorted(MALFORMED_WORKBOOKS))
def test_the_page_refuses_a_malformed_workbook_in_chinese(client, personas, case):
    client.force_login(personas.alice)
    response = _post(client, MALFORMED_WORKBOOKS[case](), "自评表.xlsx")
    assert response.status_code == 422
    html = response.content.decode()
    assert any(word in html for word in ("工作簿", "Excel")), html


def _seed_with(raw_fund_value: str) -> bytes:
    """The seed document with a bare JSON literal as its first fund row's initial amount."""
    document = json.loads(_seed())
    document["funds"][0]["initial"] = "@@"
    return json.dumps(document, ensure_ascii=False).replace('"@@"', raw_fund_value).encode()


MALFORMED_JSON = {
    "nan": lambda: _seed_with("NaN"),
    "infinity": lambda: _seed_with("-Infinity"),
    "1e308": lambda: _seed_with("1e308"),
    "gbk": lambda: json.dumps({"region": "相山区"}, ensure_ascii=False).encode("gbk"),
    "syntax": lambda: b'{"format": "selfeval/1",\n "kind": }',
}


@pytest.mark.parametrize("case", sorted(MALFORMED_JSON))
def test_the_page_refuses_a_malformed_json_file_in_chinese(client, personas, case):
    client.force_login(personas.alice)
    response = _post(client, MALFORMED_JSON[case](), "自评.json")
    assert response.status_code == 422
    message = re.search(r"自评\.json：([^<]*)", response.content.decode())
    assert message and re.search(r"[\u4e00-\u9fff]", message[1]), response.content.decode()


def test_the_page_refuses_deeply_nested_json_in_chinese(client, personas):
    # Fails (RecursionError in json.loads) until upload_json reads files through load_json.
    client.force_login(personas.alice)
    response = _post(client, b"[" * 100_000 + b"]" * 100_000, "自评.json")
    assert response.status_code == 422
    assert "嵌套超过" in response.content.decode()


def test_a_workbook_with_more_indicator_rows_than_the_limit_is_refused(client, personas):
    """Rows past the limit are refused, never dropped: a dropped row is a lost actual."""
    from openpyxl import Workbook

    from projects.upload.workbook import MAX_ROWS, read_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "01 项目"
    sheet["A4"], sheet["B4"] = "项目编号", 1
    sheet["A14"] = "一级指标"
    for row in range(15, 15 + MAX_ROWS + 5):
        sheet[f"A{row}"], sheet[f"C{row}"] = "产出指标", f"指标{row}"
    out = io.BytesIO()
    book.save(out)
    _, errors = read_workbook(out.getvalue())
    assert any(f"超过 {MAX_ROWS} 行" in str(e) for e in errors)
