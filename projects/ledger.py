"""The hash chain over the workflow's steps and decisions: what is hashed, appending, verifying.

Every recorded step (submit, return, approve, publish, reopen of an evaluation, a monitoring
report or a target declaration), every red-light follow-up, every 结果应用 decision and every
整改 step gets one HistoryEntry in its region's chain, written in the transaction that writes the
row. The hashed content is a fixed list of fields per kind (CHAINED), so adding a column to a step
model later never breaks the chains already written; change a list only with a new payload
version ("v").

Appends in one region are serialised by a row lock on the region (FOR NO KEY UPDATE, so rows that
merely point at the region are not held up); on SQLite the IMMEDIATE transactions already
serialise every writer.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps as global_apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Subquery

from projects.models.ledger import GENESIS

PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class Chained:
    """One kind of row the chain records: its model, the way to its region, the fields hashed."""

    kind: str
    label: str  # how messages name the kind
    model_name: str  # in the projects app
    region_path: str  # from the row to its region's id
    filing: str  # the field naming what the row belongs to (the filing, the 整改 item)
    filing_label: str
    fields: tuple[str, ...]  # hashed as they are; JSON fields are hashed by their digest
    mutable: bool = False  # a decision re-saved in the application appends a new entry
    extra: Callable | None = None  # (apps, pks) -> {pk: {key: value}} for related rows

    def model(self, apps=None):
        """The model class (the historical one inside a migration)."""
        return (apps or global_apps).get_model("projects", self.model_name)


def _review_comments(apps, pks) -> dict[int, dict]:
    """A return's per-indicator comments belong to its step's content."""
    found: dict[int, list] = defaultdict(list)
    comment_model = (apps or global_apps).get_model("projects", "ReviewComment")
    rows = comment_model._base_manager.filter(step_id__in=pks).values_list(
        "step_id", "indicator_id", "text"
    )
    for step_id, indicator_id, text in rows:
        found[step_id].append([indicator_id, text])
    return {pk: {"comments": sorted(found.get(pk, []), key=_comment_key)} for pk in pks}


def _comment_key(item) -> tuple:
    return (item[0] is None, item[0] or 0, item[1])


_STEP = ("action", "from_status", "to_status", "actor", "comment", "version", "snapshot")
_FILING_REGION = "project__unit__department__region_id"

CHAINED: dict[str, Chained] = {
    spec.kind: spec
    for spec in (
        Chained(
            kind="review_step",
            label="自评审核记录",
            model_name="ReviewStep",
            region_path=f"evaluation__{_FILING_REGION}",
            filing="evaluation",
            filing_label="自评",
            fields=("evaluation", *_STEP, "created_at"),
            extra=_review_comments,
        ),
        Chained(
            kind="monitoring_step",
            label="监控审核记录",
            model_name="MonitoringStep",
            region_path=f"report__{_FILING_REGION}",
            filing="report",
            filing_label="监控表",
            fields=("report", *_STEP, "indicator_comments", "created_at"),
        ),
        Chained(
            kind="target_step",
            label="目标审核记录",
            model_name="TargetStep",
            region_path=f"declaration__{_FILING_REGION}",
            filing="declaration",
            filing_label="目标申报",
            fields=("declaration", *_STEP, "indicator_comments", "created_at"),
        ),
        Chained(
            kind="monitoring_follow_up",
            label="红灯处理决定",
            model_name="MonitoringFollowUp",
            region_path=f"report__{_FILING_REGION}",
            filing="report",
            filing_label="监控表",
            fields=("report", "indicator", "decision", "comment", "decided_by", "decided_at"),
        ),
        Chained(
            kind="result_decision",
            label="结果应用决定",
            model_name="ResultDecision",
            region_path=f"evaluation__{_FILING_REGION}",
            filing="evaluation",
            filing_label="自评",
            fields=(
                "evaluation",
                "decision",
                "cut_share",
                "base_amount",
                "next_year_amount",
                "note",
                "suggested_decision",
                "suggested_amount",
                "suggestion_reasons",
                "rule_set",
                "decided_by",
                "decided_at",
            ),
            mutable=True,
        ),
        Chained(
            kind="rectification_step",
            label="整改记录",
            model_name="RectificationStep",
            region_path="item__unit__department__region_id",
            filing="item",
            filing_label="整改事项",
            fields=("item", "action", "text", "evidence", "actor", "created_at"),
        ),
    )
}

_BY_MODEL = {spec.model_name: spec for spec in CHAINED.values()}


def spec_for(row) -> Chained:
    """The chain's description of a row's kind; a model not chained is a programming error."""
    try:
        return _BY_MODEL[type(row).__name__]
    except KeyError:
        raise LookupError(
            f"{type(row).__name__} is not chained: a kind of filing (or decision) plugged into "
            "the workflow needs its entry in projects.ledger.CHAINED."
        ) from None


# --- the canonical content -----------------------------------------------------------------------


def canonical_json(value) -> str:
    """One text per value: sorted keys, no spaces, what any database hands back the same."""
    plain = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return json.dumps(plain, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256(text: str) -> str:
    """The hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _field_value(model_field, value):
    """A field's value as it reads back from SQLite and PostgreSQL alike."""
    if value is None:
        return None
    if isinstance(model_field, models.JSONField):
        return "sha256:" + sha256(canonical_json(value))
    if isinstance(model_field, models.DateTimeField):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if isinstance(model_field, models.DateField):
        return value.isoformat()
    if isinstance(model_field, models.DecimalField):
        exponent = Decimal(1).scaleb(-model_field.decimal_places)
        return str(Decimal(str(value)).quantize(exponent))
    return value


def payload(spec: Chained, row, extra: dict | None = None) -> dict:
    """The content an entry records for a row: its kind, id and the listed fields' values."""
    meta = type(row)._meta
    content = {"v": PAYLOAD_VERSION, "kind": spec.kind, "id": row.pk}
    for name in spec.fields:
        model_field = meta.get_field(name)
        content[model_field.attname] = _field_value(model_field, getattr(row, model_field.attname))
    content.update(extra or {})
    return content


def link_hash(region_id: int, sequence: int, previous_hash: str, content_hash: str) -> str:
    """An entry's own hash: its place in its region's chain, its predecessor, its content."""
    return sha256(f"{region_id}:{sequence}:{previous_hash}:{content_hash}")


# --- appending -----------------------------------------------------------------------------------


def chain_append(row, *, apps=None):
    """Append the entry recording `row` to its region's chain, in the caller's transaction."""
    spec = spec_for(row)  # a historical model (in a migration) keeps its class name
    apps = apps or global_apps
    region_model = apps.get_model("projects", "Region")
    entry_model = apps.get_model("projects", "HistoryEntry")
    row_region = spec.model(apps)._base_manager.filter(pk=row.pk).values(spec.region_path)
    # The lock and the region in one statement: the next sequence is read only once it is held.
    region_id = (
        region_model._base_manager.select_for_update(no_key=True, of=("self",))
        .filter(pk=Subquery(row_region[:1]))
        .values_list("pk", flat=True)
        .get()
    )
    extra = spec.extra(apps, [row.pk])[row.pk] if spec.extra else None
    content = payload(spec, row, extra)
    last = (
        entry_model._base_manager.filter(region_id=region_id)
        .order_by("-sequence")
        .values_list("sequence", "entry_hash")
        .first()
    )
    sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    content_hash = sha256(canonical_json(content))
    return entry_model._base_manager.create(
        region_id=region_id,
        sequence=sequence,
        kind=spec.kind,
        object_id=row.pk,
        content=content,
        content_hash=content_hash,
        previous_hash=previous,
        entry_hash=link_hash(region_id, sequence, previous, content_hash),
    )


def _time_of(spec: Chained, row):
    return getattr(row, "created_at", None) or getattr(row, "decided_at", None)


def backfill(*, apps=None) -> int:
    """Chain every recorded row that has no entry yet, oldest first; returns how many.

    For a database whose steps predate the chain (the migration runs it) and for rows written by
    a bulk insert that bypassed the services. A row chained this way vouches only for its
    content from now on.
    """
    entry_model = (apps or global_apps).get_model("projects", "HistoryEntry")
    pending = []
    for spec in CHAINED.values():
        chained = entry_model._base_manager.filter(kind=spec.kind).values("object_id")
        rows = spec.model(apps)._base_manager.exclude(pk__in=Subquery(chained))
        pending += [(_time_of(spec, row), spec.kind, row.pk, row) for row in rows]
    pending.sort(key=lambda item: item[:3])
    for *_, row in pending:
        chain_append(row, apps=apps)
    return len(pending)


# --- verifying -----------------------------------------------------------------------------------


@dataclass
class Break:
    """The first place a region's chain no longer holds, and why (in Chinese)."""

    region: str
    sequence: int | None
    kind: str
    object_id: int
    filing: str
    problem: str

    def __str__(self) -> str:
        place = f"第 {self.sequence} 条" if self.sequence is not None else "未登记"
        return (
            f"{self.region} {place}（{self.kind} #{self.object_id}，{self.filing}）：{self.problem}"
        )


@dataclass
class Verdict:
    """What a walk of the chains found: entries checked per region, and the breaks."""

    checked: dict[str, int] = field(default_factory=dict)
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


_NAMES = {
    "evaluation": "自评",
    "report": "监控表",
    "declaration": "目标申报",
    "item": "整改事项",
    "action": "操作",
    "from_status": "原状态",
    "to_status": "新状态",
    "actor": "操作人",
    "decided_by": "决定人",
    "comment": "意见",
    "comments": "指标意见",
    "indicator_comments": "指标意见",
    "version": "版本",
    "snapshot": "填报内容快照",
    "created_at": "时间",
    "decided_at": "决定时间",
}


def _differences(stored: dict, current: dict) -> str:
    keys = sorted(k for k in set(stored) | set(current) if stored.get(k) != current.get(k))
    names = []
    for key in keys:
        name = key.removesuffix("_id")
        names.append(_NAMES.get(name, name))
    return "、".join(dict.fromkeys(names))


def _current_rows(spec: Chained, region_ids: set[int] | None) -> dict[int, tuple[int, dict]]:
    """Every row of a kind as it is stored now: {pk: (region id, content)}."""
    rows = (
        spec.model()._base_manager.only(*spec.fields).annotate(_region=models.F(spec.region_path))
    )
    if region_ids is not None:
        rows = rows.filter(_region__in=region_ids)
    rows = list(rows)
    extra = spec.extra(None, [r.pk for r in rows]) if spec.extra else {}
    return {r.pk: (r._region, payload(spec, r, extra.get(r.pk))) for r in rows}


def verify(*, region=None) -> Verdict:
    """Walk every region's chain (or one region's): links, hashes, and each row against its
    latest entry; rows with no entry at all are reported too (written outside the services)."""
    from projects.models import HistoryEntry, Region

    regions = {
        r.pk: r for r in (Region.objects.filter(pk=region.pk) if region else Region.objects.all())
    }
    scope = set(regions) if region else None
    current = {kind: _current_rows(spec, scope) for kind, spec in CHAINED.items()}
    entries = HistoryEntry.objects.filter(region_id__in=regions).order_by("region_id", "sequence")
    latest: dict[tuple[str, int], int] = {}
    by_region: dict[int, list] = defaultdict(list)
    for entry in entries:
        by_region[entry.region_id].append(entry)
        latest[entry.kind, entry.object_id] = entry.pk
    verdict = Verdict()
    for region_id, region_row in regions.items():
        chain = by_region.get(region_id, [])
        if chain:
            verdict.checked[region_row.name] = len(chain)
        broken = _first_break(region_row, chain, current, latest)
        if broken:
            verdict.breaks.append(broken)
    for kind, rows in current.items():
        spec = CHAINED[kind]
        for pk, (region_id, content) in sorted(rows.items()):
            if (kind, pk) not in latest and region_id in regions:
                verdict.breaks.append(
                    Break(
                        region=regions[region_id].name,
                        sequence=None,
                        kind=spec.label,
                        object_id=pk,
                        filing=_filing(spec, content),
                        problem="该记录不在留痕链中（可能是在系统之外写入的）",
                    )
                )
    return verdict


def _filing(spec: Chained, content: dict) -> str:
    return f"{spec.filing_label} #{content.get(spec.filing + '_id')}"


def _first_break(region, chain, current, latest) -> Break | None:
    previous, expected = GENESIS, 1
    for entry in chain:
        spec = CHAINED.get(entry.kind)
        label = spec.label if spec else entry.kind

        def broken(problem, entry=entry, label=label, spec=spec):
            filing = _filing(spec, entry.content) if spec else "—"
            return Break(region.name, entry.sequence, label, entry.object_id, filing, problem)

        if entry.sequence != expected:
            return broken(f"序号不连续：应为第 {expected} 条（有记录被删除或插入）")
        if entry.previous_hash != previous:
            return broken("与前一条记录的链接断开（前一条记录被改动或删除）")
        if entry.content_hash != sha256(canonical_json(entry.content)):
            return broken("登记内容与其哈希不符（留痕链记录被改动）")
        if entry.entry_hash != link_hash(region.pk, entry.sequence, previous, entry.content_hash):
            return broken("本记录哈希不符（留痕链记录被改动）")
        if spec is None:
            return broken("未知的记录类别")
        row = current[entry.kind].get(entry.object_id)
        if row is None:
            return broken("所记录的步骤已被删除")
        if latest[entry.kind, entry.object_id] == entry.pk and row[1] != entry.content:
            return broken(f"所记录的步骤已被改动（{_differences(entry.content, row[1])}）")
        previous, expected = entry.entry_hash, expected + 1
    return None


# --- reading for pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    """One step of a filing as its public page shows it: what, when, and the hashes."""

    sequence: int
    action: str
    at: datetime.datetime | None
    content_hash: str
    previous_hash: str
    entry_hash: str


def evaluation_chain(evaluation_id: int) -> list[ChainLink]:
    """The chained review steps of an evaluation, in order (one query), for its public page."""
    from projects.models import HistoryEntry, ReviewStep

    steps = ReviewStep._base_manager.filter(evaluation_id=evaluation_id).values("pk")
    entries = HistoryEntry.objects.filter(kind="review_step", object_id__in=Subquery(steps))
    labels = dict(ReviewStep.Action.choices)
    links = []
    for entry in entries.order_by("region_id", "sequence"):
        at = entry.content.get("created_at")
        links.append(
            ChainLink(
                sequence=entry.sequence,
                action=labels.get(entry.content.get("action"), "审核步骤"),
                at=datetime.datetime.fromisoformat(at) if at else None,
                content_hash=entry.content_hash,
                previous_hash=entry.previous_hash,
                entry_hash=entry.entry_hash,
            )
        )
    return links


# --- rows other services write -------------------------------------------------------------------

# Written by services outside the one workflow (a red light's follow-up, 结果应用, 整改): chained
# from their model's post_save, so those services need not know about the chain.
_BY_SIGNAL = ("monitoring_follow_up", "result_decision", "rectification_step")


def _on_save(sender, instance, created, raw=False, **kwargs):
    spec = spec_for(instance)
    # A step re-saved is not a new step: left unchained, verify_history reports the change.
    if not raw and (created or spec.mutable):
        chain_append(instance)


def connect_signals() -> None:
    """Chain the rows the services outside the workflow write (called once, at app start)."""
    for kind in _BY_SIGNAL:
        models.signals.post_save.connect(
            _on_save, sender=CHAINED[kind].model(), dispatch_uid=f"ledger:{kind}"
        )
