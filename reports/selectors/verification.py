"""What the public verification page may say about a sign-off code or an uploaded file.

Only what is published is described: for a filing that is published now, the page names the
document (title, unit, department, year) and links to the public copy; for one that is approved
but not published, it says no more than that a document with this code was approved on a date
(and by which bureau), and gives the hash to compare: the code's holder already has the paper,
and anyone who guessed a code learns nothing of its content.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from projects.formatting import WAN_YUAN
from projects.models import EvaluationStatus
from reports.models import SignOff
from reports.selectors.stamp import FINAL
from reports.stored.signoff import SIGNED_KINDS

VALID = "valid"
SUPERSEDED = "superseded"
WITHDRAWN = "withdrawn"

_PUBLIC_FILES = {
    ("table", "pdf"): "publication_evaluation_pdf",
    ("table", "xlsx"): "publication_evaluation_xlsx",
    ("report", "pdf"): "publication_evaluation_report_pdf",
}


@dataclass(frozen=True)
class Verdict:
    """One sign-off as the public may see it."""

    state: str  # VALID, SUPERSEDED or WITHDRAWN
    code: str
    sha256: str
    kind_label: str  # 绩效自评表（PDF）
    step: str  # SignOff.Step
    step_label: str  # 审核通过 / 公开
    approving_body: str
    approved_at: datetime.datetime
    published_at: datetime.datetime | None  # when this copy was signed at publication
    signed_at: datetime.datetime
    superseded_at: datetime.datetime | None
    public: bool  # the filing is published now: the details below may be shown
    title: str = ""
    unit_name: str = ""
    department_name: str = ""
    region_name: str = ""
    year: int | None = None
    evaluation_published_at: datetime.datetime | None = None
    public_url: str = ""  # the current public copy of this document
    page_url: str = ""  # the filing's public page

    @property
    def state_label(self) -> str:
        """The verdict in a few words."""
        return {
            VALID: "有效",
            SUPERSEDED: "已被新版本取代",
            WITHDRAWN: "已失效（自评已重新开启）",
        }[self.state]


def _state(signoff: SignOff) -> str:
    evaluation = signoff.evaluation
    if signoff.superseded_by_id is not None:
        return SUPERSEDED
    if evaluation.status not in FINAL or evaluation.approved_at is None:
        return WITHDRAWN  # reopened: no approval stands behind this copy until a new one
    if evaluation.approved_at != signoff.approved_at:
        return SUPERSEDED  # approved again since; the new copy in this slot was not stored yet
    return VALID


def _public_url(signoff: SignOff) -> str:
    name = _PUBLIC_FILES.get((signoff.kind, signoff.fmt))
    if name is None:
        return ""
    url = reverse(name, args=[signoff.evaluation_id])
    if signoff.money_unit != WAN_YUAN:
        url += "?" + urlencode({"money_unit": signoff.money_unit})
    return url


def verdict(signoff: SignOff) -> Verdict:
    """The public's view of one sign-off (its evaluation, project and organisation preloaded)."""
    evaluation = signoff.evaluation
    unit = evaluation.project.unit
    region = unit.department.region
    public = evaluation.status == EvaluationStatus.PUBLISHED
    common = {
        "state": _state(signoff),
        "code": signoff.code,
        "sha256": signoff.sha256,
        "kind_label": f"{SIGNED_KINDS.get(signoff.kind, '文件')}（{signoff.fmt.upper()}）",
        "step": signoff.step,
        "step_label": signoff.get_step_display(),
        "approving_body": region.finance_bureau or f"{region.name}财政局",
        "approved_at": signoff.approved_at,
        "published_at": signoff.published_at,
        "signed_at": signoff.signed_at,
        "superseded_at": signoff.superseded_at,
        "public": public,
    }
    if not public:
        return Verdict(**common)
    return Verdict(
        **common,
        title=signoff.title,
        unit_name=unit.name,
        department_name=unit.department.name,
        region_name=region.name,
        year=evaluation.year,
        evaluation_published_at=evaluation.published_at,
        public_url=_public_url(signoff),
        page_url=reverse("publication_evaluation", args=[signoff.evaluation_id]),
    )


def _signoffs():
    return SignOff.objects.select_related("evaluation__project__unit__department__region")


def by_code(code: str) -> Verdict | None:
    """The sign-off printed with this (normalised) code, if any: one query."""
    signoff = _signoffs().filter(code=code).first()
    return verdict(signoff) if signoff is not None else None


def by_digest(digest: str) -> Verdict | None:
    """The sign-off of a file with exactly these bytes (its SHA-256), if any: one query."""
    signoff = _signoffs().filter(sha256=digest).order_by("-signed_at", "-pk").first()
    return verdict(signoff) if signoff is not None else None
