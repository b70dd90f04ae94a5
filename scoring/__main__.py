"""Command line: `python -m scoring score|monitor FILE.json [--rules ID]`, `python -m scoring rules`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from scoring.engine.document import (
    Document,
    DocumentError,
    detect_ruleset,
    document_to_input,
    document_to_monitoring_input,
    read_document,
    result_to_json,
)
from scoring.engine.monitoring import monitor, monitoring_to_json
from scoring.engine.rules import DEFAULT_RULESET_ID, RuleSetError, list_rulesets, load_ruleset
from scoring.engine.score import score_evaluation

EXIT_UNREADABLE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are in Chinese, as all our messages are."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and the problem, and exit 2 as for any unreadable input."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"参数错误：{message}\n")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_UNREADABLE


class _Unreadable(Exception):
    """Input the command cannot use; the message is printed as is and the exit status is 2."""


def _load_rules(rules_id: str | None):
    try:
        return load_ruleset(rules_id) if rules_id else None
    except RuleSetError as exc:
        raise _Unreadable(str(exc)) from None


def _read(path: str) -> Document:
    """Read and validate a selfeval/1 file, or raise _Unreadable with a Chinese message."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise _Unreadable(f"{path}：文件不存在") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise _Unreadable(f"{path}：无法读取文件（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise _Unreadable(f"{path}：不是 UTF-8 编码的文本") from None
    except json.JSONDecodeError as exc:
        message = f"{path}：第 {exc.lineno} 行第 {exc.colno} 列不是合法的 JSON（{exc.msg}）"
        raise _Unreadable(message) from None
    try:
        return read_document(data)
    except DocumentError as exc:
        raise _Unreadable(f"{path}：{exc.path or '（文档）'}：{exc.message}") from None


def _score(path: str, rules_id: str | None, explain: bool) -> int:
    try:
        rules = _load_rules(rules_id)
        document = _read(path)
    except _Unreadable as exc:
        return _fail(str(exc))
    if rules is None:  # the template the table shows, else the national default
        rules = load_ruleset(detect_ruleset(document) or DEFAULT_RULESET_ID)
    result = score_evaluation(document_to_input(document), rules)
    if explain:
        print("\n".join(result.trace), file=sys.stderr)
    print(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
    return 0


def _monitor(path: str, rules_id: str | None, explain: bool) -> int:
    try:
        rules = _load_rules(rules_id) or load_ruleset(DEFAULT_RULESET_ID)
        document = _read(path)
        try:
            inp = document_to_monitoring_input(document)
        except DocumentError as exc:
            raise _Unreadable(f"{path}：{exc.path}：{exc.message}") from None
    except _Unreadable as exc:
        return _fail(str(exc))
    result = monitor(inp, rules)
    if explain:
        print("\n".join(result.trace), file=sys.stderr)
    print(json.dumps(monitoring_to_json(result), ensure_ascii=False, indent=2))
    return 0


def _rules() -> int:
    try:
        rule_sets = list_rulesets()
    except RuleSetError as exc:
        return _fail(str(exc))
    for rules in rule_sets:
        default = "（默认）" if rules.id == DEFAULT_RULESET_ID else ""
        print(f"{rules.key}\t{rules.title}{default}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status (2 for input it cannot read)."""
    parser = _Parser(prog="python -m scoring", description="按规则集为 selfeval/1 自评文档计分")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    score = commands.add_parser("score", help="为一个 selfeval/1 文档计分，输出 selfeval-result/1")
    score.add_argument("file", help="selfeval/1 JSON 文件")
    score.add_argument(
        "--rules",
        default=None,
        help="规则集 id、id@版本或 .toml 文件路径（默认：按表格式识别，识别不出时为全国默认）",
    )
    score.add_argument("--explain", action="store_true", help="在标准错误输出计分过程")
    watch = commands.add_parser(
        "monitor",
        help="为带 monitoring.as_of 的 selfeval/1 文档计算运行监控的灯，输出 selfeval-monitoring/1",
    )
    watch.add_argument("file", help="selfeval/1 JSON 文件（含 monitoring.as_of）")
    watch.add_argument(
        "--rules", default=None, help="规则集 id、id@版本或 .toml 文件路径（默认：全国默认）"
    )
    watch.add_argument("--explain", action="store_true", help="在标准错误输出亮灯过程")
    commands.add_parser("rules", help="列出规则集及其版本")
    args = parser.parse_args(argv)
    if args.command == "rules":
        return _rules()
    if args.command == "monitor":
        return _monitor(args.file, args.rules, args.explain)
    return _score(args.file, args.rules, args.explain)


if __name__ == "__main__":
    sys.exit(main())
