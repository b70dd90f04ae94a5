"""Fuzz the upload page: mutated workbooks and selfeval/1 files; no answer may be a 5xx.

Builds one filer's project (seed 001's business-environment figures) in a throw-away test
database, downloads its real 自评表 template through `projects:upload_template` and exports its
evaluation as selfeval/1 with `projects.exporter.export_document`, then posts `--count` mutated
files (byte flips, truncations, damaged deflate streams, changed compression methods and flags,
lying zip sizes, zip bombs, XML damage, odd cell values; deep JSON nesting, NaN, 1e308,
full-width digits, huge arrays, deleted keys and changed types, other encodings) to
`projects:upload` as that filer through Django's test client, and confirms every preview the
page offers (each conflict resolved at random) so the writes are fuzzed too. Prints the answers
by status class and by mutation, the elapsed time and the machine; exits 1 if any answer was a
5xx, printing the first few with their traceback summary and the command that replays each one.

Each case is generated from its own seed (`--seed` and its index), so one case replays alone:

    SELFEVAL_MODE=test .venv/bin/python bench/bench_upload_fuzz.py [--count 1500] [--seed 2024]
    SELFEVAL_MODE=test .venv/bin/python bench/bench_upload_fuzz.py --case 123 [--save out/]
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import logging
import random
import re
import struct
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import unescape as html_unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import region_units, throwaway_database  # noqa: E402
from bench.machine import machine  # noqa: E402

ROWS = [
    ("产出指标", "数量指标", "解决企业难题", "≥300个", "300个", "10"),
    ("产出指标", "数量指标", "召开座谈会", "≥160个", "160个", "10"),
    ("产出指标", "数量指标", "走访企业数量", "≥1600家", "1600家", "20"),
    ("产出指标", "时效指标", "按节点完成计划", "≥95%", "95%", "10"),
    ("效益指标", "社会效益指标", "就业岗位", "≥600个", "600个", "30"),
    ("满意度指标", "服务对象满意度指标", "服务企业满意度", "≥90%", "90%", "10"),
]
FULL_WIDTH = str.maketrans("0123456789.,%-+", "０１２３４５６７８９．，％－＋")
NUMBER_KEYS = {
    "funds": ("initial", "adjusted", "executed", "weight", "claimed_rate", "claimed_score"),
    "indicators": ("weight", "claimed_score"),
}
ODD_NUMBERS = (
    "1e5", "1E308", "-5", "0", "-0", "99999999999999999999", "0.0000000000001", "50%", "10分",
    "1,2,3", "1,,000", "  ", "—", "/", "NaN", "Infinity", "0x10", "½", "①", "10²", "١٢٣",
    "３８．７６", "１２３", "12.345", "+.5", ".", "1_000", "∞", "",
)  # fmt: skip
LITERALS = (
    "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e400", "1.7976931348623157e308",
    "1e-400", "100000000000000000000", "9" * 5000, "-0", "0.1e1", "1E+2",
)  # fmt: skip
METHODS = (1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 14, 18, 19, 93, 94, 95, 96, 97, 98, 99, 0, 8, 0xFFFF)
FLAGS = (0x1, 0x8, 0x20, 0x40, 0x800, 0x2000, 0x1 | 0x40, 0xFFFF)


@dataclass
class Case:
    """One mutated upload: the file name, its bytes and the mutations that made it."""

    index: int
    name: str
    data: bytes
    steps: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        """The first mutation's kind, for the table by mutation."""
        return self.steps[0].split("(")[0] if self.steps else "original"


# ---------------------------------------------------------------- the subject and its files


def build():
    """A filer's unit with seed 001's project, its draft evaluation scored; returns the user."""
    from django.contrib.auth import get_user_model

    from projects.models import (
        Evaluation,
        FundLine,
        FundSource,
        Indicator,
        IndicatorResult,
        Membership,
        Project,
    )
    from scoring.services import score_evaluation

    _, (unit,) = region_units(1, is_department=True)
    user = get_user_model().objects.create_user("fuzz_filer", password="fuzz-pass-1")
    Membership.objects.create(user=user, role=Membership.Role.FILER, unit=unit)
    project = Project.objects.create(
        unit=unit,
        year=2023,
        code="P0001",
        name="区创优营商环境服务中心工作经费",
        money_unit="万元",
        goal_expected="保障单位日常工作正常运转",
    )
    for source in (FundSource.TOTAL, FundSource.CURRENT_YEAR):
        FundLine.objects.create(
            project=project,
            source=source,
            initial=Decimal("460000"),
            adjusted=Decimal("460000"),
            executed=Decimal("387600"),
            weight=Decimal("10") if source == FundSource.TOTAL else None,
        )
    evaluation = Evaluation.objects.create(project=project, year=2023, goal_actual="全年支付经费")
    for order, (level1, level2, name, target, actual, weight) in enumerate(ROWS):
        indicator = Indicator.objects.create(
            project=project,
            order=order,
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            weight=Decimal(weight),
        )
        IndicatorResult.objects.create(
            evaluation=evaluation, indicator=indicator, actual=actual, claimed_score=Decimal(weight)
        )
    score_evaluation(evaluation)
    return user, evaluation


def originals(client, evaluation) -> tuple[bytes, dict]:
    """The template workbook as the page serves it and the evaluation as selfeval/1."""
    from django.urls import reverse

    from projects.exporter import export_document
    from projects.models import Evaluation

    response = client.get(reverse("projects:upload_template"), {"year": 2023})
    assert response.status_code == 200, response.status_code
    fresh = Evaluation.objects.select_related("project__unit__department__region").get(
        pk=evaluation.pk
    )
    return response.content, export_document(fresh)


# ---------------------------------------------------------------- zip surgery


@dataclass
class Member:
    """Where one member's headers and stream sit in the archive."""

    name: str
    central: int
    local: int
    stream: int
    compressed: int
    size: int


def layout(data: bytes) -> list[Member]:
    """Every member's offsets, read from the central directory as zipfile reads it."""
    members = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        position = archive.start_dir
        for info in archive.infolist():
            name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, position + 28)
            local_name, local_extra = struct.unpack_from("<HH", data, info.header_offset + 26)
            members.append(
                Member(
                    info.filename,
                    position,
                    info.header_offset,
                    info.header_offset + 30 + local_name + local_extra,
                    info.compress_size,
                    info.file_size,
                )
            )
            position += 46 + name_len + extra_len + comment_len
    return members


def rebuilt(
    data: bytes,
    *,
    change: Callable[[str, bytes], bytes | None] = lambda name, content: content,
    extra: tuple[tuple[str, bytes], ...] = (),
    stored: bool = False,
) -> bytes:
    """The archive written again, each member through `change` (None drops it), plus `extra`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        with zipfile.ZipFile(out, "w", method) as target:
            for item in source.infolist():
                content = change(item.filename, source.read(item.filename))
                if content is not None:
                    target.writestr(item.filename, content)
            for name, content in extra:
                target.writestr(name, content)
    return out.getvalue()


def _pack(data: bytearray, offset: int, fmt: str, value: int) -> None:
    struct.pack_into(fmt, data, offset, value & (0xFFFF if fmt == "<H" else 0xFFFFFFFF))


def mutate_workbook(rng: random.Random, data: bytes, case: Case) -> bytes:
    """One mutation of the workbook, recorded in `case.steps`."""
    members = layout(data)
    member = rng.choice(members)
    kind = rng.choices(
        [
            "flip", "truncate", "stream", "method", "flags", "size", "crc", "names", "bomb",
            "count", "xml", "cells",
        ],
        weights=[10, 6, 14, 10, 8, 10, 4, 6, 4, 2, 12, 14],
    )[0]  # fmt: skip
    out = bytearray(data)
    if kind == "flip":
        count = rng.randint(1, 40)
        for _ in range(count):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        case.steps.append(f"flip({count} bytes)")
    elif kind == "truncate":
        cut = rng.randrange(len(out))
        case.steps.append(f"truncate(at {cut} of {len(out)})")
        return bytes(out[:cut])
    elif kind == "stream":
        how = rng.choice(["flip", "btype", "zero", "shuffle"])
        start, size = member.stream, max(member.compressed, 1)
        if how == "flip":
            for _ in range(rng.randint(1, 8)):
                out[start + rng.randrange(size)] ^= 1 << rng.randrange(8)
        elif how == "btype":
            out[start] |= 0x06  # BTYPE 11, reserved
        elif how == "zero":
            at = start + rng.randrange(size)
            out[at : at + 16] = bytes(len(out[at : at + 16]))
        else:
            piece = out[start : start + size]
            rng.shuffle(piece)
            out[start : start + size] = piece
        case.steps.append(f"stream({how} in {member.name})")
    elif kind == "method":
        method = rng.choice(METHODS)
        where = rng.choice(["both", "central", "local"])
        if where != "local":
            _pack(out, member.central + 10, "<H", method)
        if where != "central":
            _pack(out, member.local + 8, "<H", method)
        case.steps.append(f"method({method} in {where} header of {member.name})")
    elif kind == "flags":
        flag = rng.choice(FLAGS)
        (current,) = struct.unpack_from("<H", out, member.central + 8)
        _pack(out, member.central + 8, "<H", current | flag)
        _pack(out, member.local + 6, "<H", current | flag)
        case.steps.append(f"flags({flag:#x} on {member.name})")
    elif kind == "size":
        field_name, offset = rng.choice(
            [("central size", 24), ("central compressed", 20), ("local size", 22)]
        )
        value = rng.choice(
            [0, 1, member.size - 1, member.size + 1, member.size * 1000, 2**31, 0xFFFFFFFF]
        )
        base = member.central if "central" in field_name else member.local
        _pack(out, base + offset, "<I", value)
        if field_name == "central size" and rng.random() < 0.5:
            _pack(out, member.local + 22, "<I", value)
        case.steps.append(f"size({field_name} {value} of {member.name})")
    elif kind == "crc":
        _pack(out, member.central + 16, "<I", rng.getrandbits(32))
        case.steps.append(f"crc({member.name})")
    elif kind == "names":
        how = rng.choice(["duplicate", "case", "drop", "rename", "vba"])
        case.steps.append(f"names({how} {member.name})")
        if how == "duplicate":
            return rebuilt(data, extra=((member.name, b"<x/>"),))
        if how == "case":
            return rebuilt(data, extra=((member.name.upper(), b"<x/>"),))
        if how == "drop":
            return rebuilt(data, change=lambda n, c: None if n == member.name else c)
        if how == "vba":
            return rebuilt(data, extra=(("xl/vbaProject.bin", b"\0VBA"),))
        return rebuilt(
            data,
            change=lambda n, c: c,
            extra=((member.name + ".bak", b""),),
        )
    elif kind == "bomb":
        size = rng.choice([1, 20, 61, 120]) * 1024 * 1024
        bomb = rebuilt(data, extra=(("xl/media/image1.png", bytes(size)),))
        case.steps.append(f"bomb({size // 1024 // 1024} MB)")
        if rng.random() < 0.5:
            target = layout(bomb)[-1]
            out = bytearray(bomb)
            _pack(out, target.central + 24, "<I", 1000)
            _pack(out, target.local + 22, "<I", 1000)
            case.steps.append("size(bomb declares 1000)")
            return bytes(out)
        return bomb
    elif kind == "count":
        count = rng.choice([100, 1990, 2001, 5000])
        case.steps.append(f"count({count} extra members)")
        return rebuilt(data, extra=tuple((f"xl/media/{i}.bin", b"") for i in range(count)))
    elif kind == "xml":
        return mutate_xml(rng, data, case)
    else:
        return mutate_cells(rng, data, case)
    return bytes(out)


def mutate_xml(rng: random.Random, data: bytes, case: Case) -> bytes:
    """A valid archive whose one XML part is damaged or hostile."""
    names = [m.name for m in layout(data) if m.name.endswith((".xml", ".rels"))]
    target = rng.choice(names)
    how = rng.choice(
        ["truncate", "garbage", "entities", "nesting", "encoding", "empty", "huge_attr", "binary"]
    )
    case.steps.append(f"xml({how} in {target})")

    def change(name: str, content: bytes) -> bytes:
        if name != target:
            return content
        if how == "truncate":
            return content[: rng.randrange(max(len(content), 1))]
        if how == "garbage":
            at = rng.randrange(max(len(content), 1))
            return content[:at] + bytes(rng.getrandbits(8) for _ in range(32)) + content[at:]
        if how == "entities":
            lol = "".join(
                f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">' for i in range(10)
            )
            return f'<?xml version="1.0"?><!DOCTYPE r [{lol}]><r>&l9;</r>'.encode()
        if how == "nesting":
            depth = rng.choice([1000, 100_000])
            return b"<a>" * depth + b"</a>" * depth
        if how == "encoding":
            return content.replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
        if how == "empty":
            return b""
        if how == "huge_attr":
            return content.replace(b"<", b'<x y="' + b"A" * 3_000_000 + b'"/><', 1)
        return bytes(rng.getrandbits(8) for _ in range(len(content)))

    return rebuilt(data, change=change)


def mutate_cells(rng: random.Random, data: bytes, case: Case) -> bytes:
    """The template with a few cells of the subject sheet set to odd values, saved by openpyxl."""
    import datetime

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[-1]
    values = [
        "１２３", "３８．７６", "1e308", 1e308, -1, -1e308, 10**20, "NaN", "=1/0", "=A1+B2",
        "＝１", True, datetime.datetime(2023, 1, 1), datetime.time(12), "x" * 32767, "",
        "  ", "9" * 400, 0.1, "—", "达成", "部分达成", "未达成", "完成", 12345678901234567890,
        "-0", "1,000,000.5", "100%", "20分", None, "\u0000", "指标", 3.14159e-200,
    ]  # fmt: skip
    count = rng.randint(1, 6)
    changed = []
    for _ in range(count):
        cell = f"{rng.choice('ABCDEFGHIJ')}{rng.randint(1, 30)}"
        value = rng.choice(values)
        try:
            sheet[cell] = value
        except Exception:  # openpyxl refuses some values itself (IllegalCharacterError, …)
            continue
        changed.append(f"{cell}={str(value)[:12]!r}")
    if rng.random() < 0.1:
        book.create_sheet("额外工作表").append(["项目编号", rng.randint(-5, 10**9)])
        changed.append("extra sheet")
    out = io.BytesIO()
    book.save(out)
    case.steps.append(f"cells({', '.join(changed)})")
    return out.getvalue()


# ---------------------------------------------------------------- JSON mutations


def _slots(value, path="") -> list[tuple[object, object, str]]:
    """Every (container, key, path) in the document, for a mutation to pick one."""
    slots = []
    if isinstance(value, dict):
        for key, item in value.items():
            slots.append((value, key, f"{path}.{key}" if path else key))
            slots.extend(_slots(item, f"{path}.{key}" if path else key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            slots.append((value, index, f"{path}[{index}]"))
            slots.extend(_slots(item, f"{path}[{index}]"))
    return slots


def _number_slots(document: dict) -> list[tuple[dict, str, str]]:
    slots = []
    for key, number_keys in NUMBER_KEYS.items():
        rows = document.get(key)
        for index, row in enumerate(rows if isinstance(rows, list) else []):
            for number_key in number_keys:
                if isinstance(row, dict) and isinstance(row.get(number_key), str):
                    slots.append((row, number_key, f"{key}[{index}].{number_key}"))
    claimed = document.get("claimed")
    for key, value in (claimed if isinstance(claimed, dict) else {}).items():
        if isinstance(value, str):
            slots.append((claimed, key, f"claimed.{key}"))
    return slots


def _random_value(rng: random.Random):
    return rng.choice(
        [
            None, True, False, 0, -1, 2023, 1.5, "", "x", "—", "１２３", [], {}, [1, 2],
            {"name": "x"}, "a" * 10_000, -(10**15), "2023", {"format": "selfeval/1"},
        ]
    )  # fmt: skip


def mutate_document(rng: random.Random, document: dict, case: Case, literals: dict) -> None:
    """One change to the parsed document, in place; bare JSON literals go in `literals`."""
    kind = rng.choices(
        ["delete", "type", "nest", "literal", "full_width", "odd_number", "huge", "unknown",
         "top", "field"],
        weights=[12, 14, 10, 12, 10, 12, 10, 4, 3, 8],
    )[0]  # fmt: skip
    slots = _slots(document)
    if kind == "delete" and slots:
        container, key, path = rng.choice(slots)
        del container[key]
        case.steps.append(f"delete({path})")
    elif kind == "type" and slots:
        container, key, path = rng.choice(slots)
        value = _random_value(rng)
        container[key] = copy.deepcopy(value)
        case.steps.append(f"type({path} = {json.dumps(value, ensure_ascii=False)[:20]})")
    elif kind == "nest" and slots:
        container, key, path = rng.choice(slots)
        depth = rng.choice([5, 17, 100, 999, 1001, 5000, 100_000])
        marker = f"@@{len(literals)}@@"
        opening, closing = rng.choice([("[", "]"), ('{"a":', "}")])
        literals[marker] = opening * depth + json.dumps(container[key]) + closing * depth
        container[key] = marker
        case.steps.append(f"nest({path} depth {depth})")
    elif kind == "literal":
        pool = _number_slots(document) or [(c, k, p) for c, k, p in slots]
        container, key, path = rng.choice(pool)
        literal = rng.choice(LITERALS)
        marker = f"@@{len(literals)}@@"
        literals[marker] = literal
        container[key] = marker
        case.steps.append(f"literal({path} = {literal[:20]})")
    elif kind == "full_width":
        for container, key, _ in _number_slots(document):
            container[key] = container[key].translate(FULL_WIDTH)
        if rng.random() < 0.3 and isinstance(document.get("year"), int):
            document["year"] = str(document["year"]).translate(FULL_WIDTH)
        case.steps.append("full_width(every number string)")
    elif kind == "odd_number":
        pool = _number_slots(document)
        if pool:
            container, key, path = rng.choice(pool)
            container[key] = rng.choice(ODD_NUMBERS)
            case.steps.append(f"odd_number({path} = {container[key]!r})")
    elif kind == "huge":
        what = rng.choice(["indicators", "funds", "notes", "string", "array"])
        count = rng.choice([2, 10, 200, 1000, 1001, 3000, 30_000])
        if what in ("indicators", "funds") and isinstance(document.get(what), list):
            rows = document[what] or [{}]
            document[what] = [copy.deepcopy(rows[i % len(rows)]) for i in range(count)]
        elif what == "notes":
            document["notes"] = {f"section{i}": "正文" for i in range(count)}
        elif what == "string":
            document["goal"] = {"expected": "目" * rng.choice([300, 20_000, 1_500_000])}
        else:
            document["unit"] = {"name": "单位", "code": [0] * count * 10}
        case.steps.append(f"huge({what} × {count})")
    elif kind == "unknown":
        document[rng.choice(["extra", "format2", "__proto__", ""])] = _random_value(rng)
        case.steps.append("unknown(top-level key)")
    elif kind == "top":
        value = rng.choice([[], "selfeval/1", 0, None, [copy.deepcopy(document)]])
        document.clear()
        document["@@top@@"] = value
        case.steps.append("top(not an object)")
    else:
        key, value = rng.choice(
            [
                ("year", rng.choice([0, 1999, 2101, -1, 10**30, "2023", 2023.0, True])),
                ("kind", rng.choice(["department", "other", None, 1])),
                ("format", rng.choice(["selfeval/2", "", None])),
                ("money_unit", rng.choice(["元", "美元", "", None, "万元"])),
                ("region", rng.choice([None, "", "另一个地区", 5])),
                ("project", rng.choice([None, {}, {"name": ""}, {"name": "x", "code": None}])),
                ("claimed", rng.choice([None, {}, {"grade": "优+"}, {"total": "１００"}])),
            ]
        )
        document[key] = value
        case.steps.append(f"field({key} = {json.dumps(value, ensure_ascii=False)[:20]})")


def serialise(rng: random.Random, document: dict, literals: dict, case: Case) -> bytes:
    """The document as bytes, literals put in, sometimes re-encoded or damaged as bytes."""
    if "@@top@@" in document:
        text = json.dumps(document["@@top@@"], ensure_ascii=False)
    else:
        text = json.dumps(document, ensure_ascii=False, indent=rng.choice([None, 2]))
    for marker, literal in literals.items():
        text = text.replace(json.dumps(marker), literal)
    data = text.encode()
    roll = rng.random()
    if roll < 0.06:
        encoding = rng.choice(["gbk", "utf-16", "utf-8-sig", "utf-32", "latin-1"])
        data = text.encode(encoding, "replace")
        case.steps.append(f"encode({encoding})")
    elif roll < 0.18:
        data = bytearray(data)
        count = rng.randint(1, 20)
        for _ in range(count):
            data[rng.randrange(len(data))] = rng.getrandbits(8)
        data = bytes(data)
        case.steps.append(f"flip({count} bytes)")
    elif roll < 0.26:
        cut = rng.randrange(len(data))
        data = data[:cut]
        case.steps.append(f"truncate(at {cut} of {len(text.encode())})")
    return data


# ---------------------------------------------------------------- cases and the run


def make_case(index: int, seed: int, workbook: bytes, document: dict) -> Case:
    """Case `index` of the run, from its own generator so it can be replayed alone."""
    rng = random.Random(f"{seed}:{index}")
    if rng.random() < 0.55:
        case = Case(index, "自评表.xlsx", workbook)
        data = workbook
        for _ in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
            try:
                data = mutate_workbook(rng, data, case)
            except Exception:  # the previous mutation broke the archive past further surgery
                break
        case.data = data
    else:
        case = Case(index, "自评.json", b"")
        changed = copy.deepcopy(document)
        literals: dict[str, str] = {}
        for _ in range(rng.choices([1, 2, 3], weights=[65, 25, 10])[0]):
            try:
                mutate_document(rng, changed, case, literals)
            except (IndexError, KeyError, TypeError, AttributeError):
                break  # an earlier mutation left nothing this one can act on
            if "@@top@@" in changed:
                break
        case.data = serialise(rng, changed, literals, case)
    if rng.random() < 0.03:
        case.name = rng.choice(["自评.json", "自评表.xlsx", "自评表.XLSX", "自评"])
        case.steps.append(f"rename({case.name})")
    return case


@dataclass
class Answer:
    """What the page answered to one post: status, the refusal or row errors shown, and the
    preview's confirmation token and conflict choices when it offered them."""

    status: int
    message: bool = True
    error: str = ""
    text: str = ""
    token: str = ""
    choices: tuple[str, ...] = ()


def post(client, case: Case) -> Answer:
    """POST the case; an exception the client re-raises is the server's 500."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return _answer(client, {"file": SimpleUploadedFile(case.name, case.data), "purpose": "actuals"})


def confirm(client, rng: random.Random, preview: Answer) -> Answer:
    """Confirm a preview as the uploader would, each conflict resolved one way or the other."""
    fields = {"token": preview.token, "confirm": "1"}
    fields |= {name: rng.choice(["mine", "theirs"]) for name in preview.choices}
    return _answer(client, fields)


def _answer(client, fields: dict) -> Answer:
    from django.urls import reverse

    try:
        response = client.post(reverse("projects:upload"), fields)
    except Exception:  # the view raised: Django would have answered 500
        return Answer(500, error=traceback.format_exc())
    body = response.content.decode("utf-8", "replace")
    # A refusal names its problem after the alert's heading; row errors are in the table.
    refused = re.search(r'id="upload-refused"[^>]*>(.*?)</div>', body, re.S)
    table = re.search(r'<table class="[^"]*upload-errors">(.*?)</table>', body, re.S)
    detail = _plain(refused[1]).removeprefix("文件未被接受：") if refused else ""
    if table:
        rows = re.findall(r"<tr>(.*?)</tr>", table[1], re.S)[1:4]
        detail = " | ".join(_plain(row) for row in rows)
    token = re.search(r'name="token" value="([^"]+)"', body)
    return Answer(
        response.status_code,
        message=bool(re.search(r"[\u4e00-\u9fff]", detail)),
        text=detail,
        token=token[1] if token else "",
        choices=tuple(dict.fromkeys(re.findall(r'type="radio"[^>]*name="([^"]+)"', body))),
    )


def _plain(html: str) -> str:
    return " ".join(html_unescape(re.sub(r"<[^>]+>", " ", html)).split())


def summary(error: str) -> str:
    """The exception and the innermost frames of the project's own code."""
    lines = error.strip().splitlines()
    frames = [
        line.strip()
        for line in lines
        if line.strip().startswith('File "') and str(ROOT) in line and "/.venv/" not in line
    ]
    return "\n".join([*("  " + f for f in frames[-3:]), "  " + lines[-1][:300]])


def _where(error: str) -> str:
    """The exception's type and the innermost project frame, to group the 5xx answers."""
    lines = error.strip().splitlines()
    frames = [line.strip() for line in lines if line.strip().startswith('File "')]
    own = [f for f in frames if str(ROOT) in f and "/.venv/" not in f]
    frame = (own or frames or ["?"])[-1].replace(f'File "{ROOT}/', "").replace('", line', ":")
    return f"{lines[-1].split(':')[0]} at {frame}"


def main() -> int:
    """Build, fuzz, print; 1 when any answer was a 5xx."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--case", type=int, help="replay this one case with its full traceback")
    parser.add_argument("--save", type=Path, help="write the 5xx cases' files into this folder")
    parser.add_argument("--show", type=int, default=5, help="how many 5xx cases to print")
    args = parser.parse_args()

    import django
    import openpyxl
    from django.db import connection
    from django.test import Client, override_settings

    # The page logs every 422 as a warning and every 500 as an error; the table says it all.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")  # openpyxl warns about every damaged part it skips
    # Previews keep the file through the storage API: keep them out of the real MEDIA_ROOT.
    media = tempfile.TemporaryDirectory(prefix="upload-fuzz-")
    with throwaway_database(instrumented=False), override_settings(MEDIA_ROOT=media.name):
        user, evaluation = build()
        client = Client()
        client.force_login(user)
        workbook, document = originals(client, evaluation)
        for name, data in (
            ("自评表.xlsx", workbook),
            ("自评.json", json.dumps(document, ensure_ascii=False).encode()),
        ):
            answer = post(client, Case(-1, name, data))
            assert answer.status == 200, f"unmutated {name}: {answer.status} {answer.error}"
        indices = [args.case] if args.case is not None else range(args.count)
        by_class: Counter[str] = Counter()
        by_family: dict[str, Counter[str]] = defaultdict(Counter)
        by_confirmation: Counter[str] = Counter()
        silent_refusals = []
        failures: list[tuple[Case, Answer]] = []
        started = time.perf_counter()
        for index in indices:
            case = make_case(index, args.seed, workbook, document)
            answer = post(client, case)
            status_class = f"{answer.status // 100}xx"
            by_class[status_class] += 1
            by_family[case.family][status_class] += 1
            if args.case is not None:
                print(f"case {index}: {'; '.join(case.steps)} → {answer.status} {answer.text}")
            if answer.status >= 500:
                failures.append((case, answer))
            elif answer.status >= 400 and not answer.message:
                silent_refusals.append(case)
            elif answer.token:  # a preview: confirm it, so the writes are fuzzed too
                confirmed = confirm(client, random.Random(f"{args.seed}:{index}:confirm"), answer)
                by_confirmation[f"{confirmed.status // 100}xx"] += 1
                if confirmed.status >= 500:
                    steps = [*case.steps, "confirm"]
                    failures.append((Case(index, case.name, case.data, steps), confirmed))
        elapsed = time.perf_counter() - started
        vendor = connection.vendor

    total = len(indices)
    print(f"upload fuzz: {total:,} mutated uploads to projects:upload as a filer, seed {args.seed}")
    for status_class in ("2xx", "4xx", "5xx"):
        print(f"  {status_class}: {by_class[status_class]:>6,}")
    others = sum(n for c, n in by_class.items() if c not in ("2xx", "4xx", "5xx"))
    if others:
        print(f"  other: {others:>6,}")
    confirmations = " / ".join(f"{by_confirmation[c]:,} {c}" for c in ("2xx", "4xx", "5xx"))
    print(f"previews confirmed: {by_confirmation.total():,} ({confirmations})")
    print("by first mutation (2xx / 4xx / 5xx):")
    for family in sorted(by_family):
        counts = by_family[family]
        print(f"  {family:<11} {counts['2xx']:>5} {counts['4xx']:>5} {counts['5xx']:>5}")
    print(f"4xx without a Chinese message on the page: {len(silent_refusals)}")
    for case in silent_refusals[:5]:
        print(f"  case {case.index}: {'; '.join(case.steps)}")
    print(f"elapsed: {elapsed:.1f} s ({elapsed / max(total, 1) * 1000:.1f} ms per upload)")
    print(
        f"machine: {machine(f'Django {django.get_version()}', f'openpyxl {openpyxl.__version__}')}"
    )
    print(f"database: {vendor}")
    if args.save and failures:
        args.save.mkdir(parents=True, exist_ok=True)
        for case, _ in failures:
            suffix = Path(case.name).suffix or ".bin"
            (args.save / f"case-{case.index}{suffix}").write_bytes(case.data)
    if failures:
        kinds = Counter(_where(answer.error) for _, answer in failures)
        print(f"\n{len(failures)} answers were 5xx, by exception and the project line raising it:")
        for where, count in kinds.most_common():
            print(f"  {count:>5}  {where}")
        print(f"the first {min(args.show, len(failures))}:")
        for case, answer in failures[: args.show]:
            size = f"{len(case.data):,} bytes"
            print(f"\ncase {case.index} ({case.name}, {size}): {'; '.join(case.steps)}")
            print(answer.error if args.case is not None else summary(answer.error))
            print(
                f"  replay: SELFEVAL_MODE=test .venv/bin/python bench/bench_upload_fuzz.py "
                f"--seed {args.seed} --case {case.index}"
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
