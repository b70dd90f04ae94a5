"""Parse an uploaded selfeval/1 file within stated bounds, before the shared reader sees it.

`json.loads` alone lets a 5 MB upload cost the server: a few thousand nested brackets raise
RecursionError inside the C scanner, `NaN`, `Infinity` and `1e400` become floats no Decimal
check expects, and a million-element array is parsed in full before anything counts it. This
module refuses each of those with a message in Chinese (raising `UploadRefused`, the upload
page's refusal), and hands back the same value `json.loads` would for every file within bounds,
so it replaces the `json.loads(...)` block at the top of `upload_json` as it stands.

Numbers in selfeval/1 are strings ("1,947,970", "84.25%"). A filer typing on a Chinese input
method writes full-width digits ("１２３", "８４．２５％"); the browser form folds them in
`projects.forms.parse_number`, and this module does the same for the number strings of a
document (the fund amounts, weights, claimed rates and scores, the claimed totals) by NFKC
normalisation and stripping. NFKC rather than the form's table because it covers every
full-width digit and sign in one rule; the price is that it also folds the rarer compatibility
forms (superscript "²" to "2", circled "①" to "1"), which no amount is printed with.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from itertools import accumulate

from projects.upload.checks import MAX_BYTES, MAX_MEMBERS, MAX_UNPACKED, UploadRefused
from projects.upload.workbook import MAX_ROWS, MAX_SHEETS

# A selfeval/1 document is three levels deep (document → funds → row); the room above that is
# for future keys, the limit is for the C scanner's recursion (about a thousand levels).
MAX_DEPTH = 16
# Array elements and object members together, counted from the commas and brackets outside
# strings before parsing: with the 5 MB cap it bounds the parse time whatever the file holds
# (measured at worst about 0.3 s to parse, 0.5 s to refuse, on a 2-core EPYC VM).
MAX_ITEMS = 200_000
# As many indicator rows as a workbook sheet holds, so the JSON and the Excel path agree.
MAX_INDICATORS = MAX_ROWS
# There are four fund sources; the reader refuses duplicates, this only bounds the array.
MAX_FUNDS = 16
# The report has about ten standard sections; imported documents may carry a few more.
MAX_NOTES = 50
# No amount in 元 or score reaches 10^16; a JSON number beyond it is an error, not a budget.
MAX_NUMBER = 10**16

FUND_NUMBER_KEYS = ("initial", "adjusted", "executed", "weight", "claimed_rate", "claimed_score")
INDICATOR_NUMBER_KEYS = ("weight", "claimed_score")

# A JSON string outside which every bracket is structure (unrolled loop: no backtracking).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


class _BadNumber(Exception):
    """A number the parser met that no selfeval/1 document can hold; its text is the message."""


def limits_text() -> list[str]:
    """Every bound an upload must stay within, in Chinese, for the upload page to state."""
    mb = 1024 * 1024
    return [
        f"文件大小不超过 {MAX_BYTES // mb} MB。",
        f"工作簿解压后合计不超过 {MAX_UNPACKED // mb} MB，内部文件不超过 {MAX_MEMBERS:,} 个。",
        f"工作簿最多 {MAX_SHEETS} 个工作表，每个工作表读取表头以下最多 {MAX_ROWS:,} 行指标。",
        f"JSON 文件嵌套不超过 {MAX_DEPTH} 层，数组元素与对象成员合计不超过 {MAX_ITEMS:,} 个。",
        f"JSON 文件最多 {MAX_INDICATORS:,} 行指标、{MAX_FUNDS} 行资金、{MAX_NOTES} 段报告正文。",
        "JSON 中的数值须为有限数且绝对值不超过 10¹⁶，不接受 NaN、Infinity；"
        "金额、分值等数字中的全角字符按半角读取。",
    ]


def load_json(data: bytes, name: str) -> object:
    """The parsed document, with full-width number strings folded; UploadRefused, naming the
    file, when it is not UTF-8, not JSON or outside any of the module's bounds."""
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        raise UploadRefused(
            f"{name}：文件大小为 {size:.1f} MB，超过 5 MB 的上限，请拆分后分别上传。"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(f"{name}：JSON 文件须为 UTF-8 编码。") from exc
    # Depth measured before parsing and without recursion: strings blanked out (brackets and
    # commas inside text count for nothing), everything but brackets dropped, and the running
    # sum of +1 per opening and -1 per closing peaks at the depth. Each step is linear and in C.
    structure = _STRING.sub(b'""', data)
    depth = max(
        accumulate(map(_STEP.__getitem__, structure.translate(None, _NOT_BRACKET))), default=0
    )
    if depth > MAX_DEPTH:
        raise UploadRefused(
            f"{name}：JSON 嵌套超过 {MAX_DEPTH} 层，不是 selfeval/1 文档（正常的文档只有三四层）。"
        )
    # Each non-empty array or object holds one more item than it has commas.
    items = structure.count(b",") + structure.count(b"[") + structure.count(b"{")
    if items > MAX_ITEMS:
        raise UploadRefused(
            f"{name}：JSON 中的数组元素和对象成员超过 {MAX_ITEMS:,} 个，不是正常的自评文档。"
        )
    try:
        payload = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise UploadRefused(
            f"{name}：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。"
        ) from exc
    except _BadNumber as exc:
        raise UploadRefused(f"{name}：{exc}") from exc
    except RecursionError as exc:  # pragma: no cover - the depth scan comes first
        raise UploadRefused(f"{name}：JSON 嵌套过深，不是 selfeval/1 文档。") from exc
    if isinstance(payload, dict):
        _check_counts(payload, name)
        _fold_numbers(payload)
    return payload


def _constant(literal: str) -> float:
    raise _BadNumber(
        f"JSON 中出现了 {literal}，selfeval/1 不接受 NaN 或 Infinity，数字请写成字符串。"
    )


def _int(literal: str) -> int:
    # Checked on the digits first: int() of thousands of digits is itself the slow part.
    if len(literal.lstrip("-")) > len(str(MAX_NUMBER)) or abs(int(literal)) > MAX_NUMBER:
        raise _BadNumber(f"JSON 中的数值 {_quoted(literal)} 超出范围（绝对值不超过 10¹⁶）。")
    return int(literal)


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise _BadNumber(f"JSON 中的数值 {_quoted(literal)} 超出范围（绝对值不超过 10¹⁶）。")
    return value


def _quoted(literal: str) -> str:
    return literal if len(literal) <= 30 else literal[:27] + "…"


def _check_counts(payload: dict, name: str) -> None:
    """Row counts, refused here with the limit named rather than read row by row."""
    for key, limit, label in (
        ("indicators", MAX_INDICATORS, "行指标"),
        ("funds", MAX_FUNDS, "行资金"),
        ("notes", MAX_NOTES, "段报告正文"),
    ):
        value = payload.get(key)
        if isinstance(value, list | dict) and len(value) > limit:
            raise UploadRefused(
                f"{name}：{key} 有 {len(value):,} {label}，超过 {limit:,} {label}的上限。"
            )


def _fold(value: object) -> object:
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def _fold_numbers(payload: dict) -> None:
    """Fold the number strings in place; values of the wrong type are left for the reader,
    which names their path."""
    for key, number_keys in (("funds", FUND_NUMBER_KEYS), ("indicators", INDICATOR_NUMBER_KEYS)):
        rows = payload.get(key)
        if not isinstance(rows, list):
            continue
        for row in rows:
            if isinstance(row, dict):
                for number_key in number_keys:
                    if number_key in row:
                        row[number_key] = _fold(row[number_key])
    claimed = payload.get("claimed")
    if isinstance(claimed, dict):
        for key in claimed:
            claimed[key] = _fold(claimed[key])
