"""`manage.py load_demo`: the seed documents, demo regions and accounts, and a review season in
which every account has work (idempotent: a second run finds every filing where it left it)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from projects import demo
from projects.demo import ACCOUNTS, DEMO_PASSWORD, EXAMPLES, REGIONS, STAGES
from projects.importer import import_bytes
from projects.models import Department, Evaluation, Membership, Region, Unit
from projects.results import demo_decisions, demo_rectifications, demo_scorecard
from projects.review import demo_spot_checks
from projects.review.services import workflow
from scoring.engine.document import read_document

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

# The services that lead from a draft to each stage, and whose account acts at each step.
_PATH = {
    demo.DRAFT: (),
    demo.SUBMITTED: ("submit",),
    demo.RETURNED: ("submit", "department_return"),
    demo.DEPARTMENT_APPROVED: ("submit", "department_approve"),
    demo.APPROVED: ("submit", "department_approve", "finance_approve"),
    demo.PUBLISHED: ("submit", "department_approve", "finance_approve", "publish"),
}


class Command(BaseCommand):
    help = "载入演示数据（来自公开发布的自评表）、演示账号和各审核环节的演示自评；重复执行结果相同"

    def handle(self, *args, **options):
        started = time.perf_counter()
        documents = {path.name: _read(path) for path in sorted(FIXTURES.glob("*.json"))}
        documents.update({example.key: _example(example) for example in EXAMPLES})
        evaluations = {key: _import(data, key) for key, data in documents.items()}
        _drop_moved(evaluations.values())
        with transaction.atomic():
            self._regions()
            self._accounts()
        from scoring.services import score_evaluation

        for evaluation in Evaluation.objects.filter(pk__in=[e.pk for e in evaluations.values()]):
            if not evaluation.is_frozen:
                score_evaluation(evaluation)
        for stage in STAGES:
            _advance(evaluations[stage.filing], stage)
        _monitoring(evaluations)
        _declarations(evaluations)
        _results(evaluations)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"已载入 {len(documents)} 份自评（fixtures/ 及示例），用时 {seconds:.1f} 秒。"
            f"演示账号（密码均为 {DEMO_PASSWORD}）："
        )
        for account in ACCOUNTS:
            role = Membership.Role(account.role).label
            self.stdout.write(f"  {account.username:<16} {role:<10} {account.scope}")
        self.stdout.write(f"  {'admin':<16} {'系统管理员':<10} /admin/")

    def _regions(self):
        for region in REGIONS:
            Region.objects.filter(name=region.name).update(
                code=region.code,
                finance_bureau=region.finance_bureau,
                department_publishes=region.department_publishes,
            )

    def _accounts(self):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        for account in ACCOUNTS:
            user, _ = User.objects.get_or_create(username=account.username)
            user.first_name = account.full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
            scope = _scope(account)
            Membership.objects.get_or_create(user=user, role=account.role, **scope)


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _example(example: demo.DemoExample) -> dict:
    """An invented filing: the template's content under the example's unit, subject and year."""
    data = _read(FIXTURES / example.template)
    data.update(
        year=example.year,
        region=example.region,
        department={"name": example.department, "code": None},
        unit={"name": example.unit, "code": None},
        project={"name": example.name, "code": example.code},
    )
    data.pop("notes", None)
    return data


def _import(data: dict, source: str) -> Evaluation:
    """Import a document unless its filing has moved on (an import may only change a draft)."""
    existing = _existing(read_document(data))
    if existing is not None and not existing.is_editable:
        return existing
    return import_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"), source=source)


def _existing(doc) -> Evaluation | None:
    unit = doc.unit or doc.department
    rows = Evaluation.objects.filter(
        year=doc.year,
        project__unit__name=unit.name,
        project__unit__department__region__name=doc.region,
    )
    if doc.kind == "department":
        return rows.filter(project__kind="department_overall").first()
    return rows.filter(project__name=doc.project.name).first()


def _drop_moved(evaluations) -> None:
    """Remove the untouched drafts an older demo filed under a subject's former unit.

    Demos before the subordinate units existed filed every subject under its department's own
    unit; loading over such a database would otherwise list those subjects twice.
    """
    for evaluation in evaluations:
        project = evaluation.project
        stale = (
            Evaluation.objects.filter(
                year=evaluation.year,
                project__name=project.name,
                project__kind=project.kind,
                project__unit__department_id=project.unit.department_id,
                status=demo.DRAFT,
                review_steps__isnull=True,
            )
            .exclude(project__unit_id=project.unit_id)
            .select_related("project")
        )
        for old in stale:
            with transaction.atomic():
                old.delete()
                old.project.delete()


def _advance(filing, stage) -> None:
    """Move a fresh draft (an evaluation or a monitoring report) to its stage through the one
    workflow, each step by its demo account.

    A filing that already has a review history was staged by an earlier run and is left alone.
    """
    steps = filing.review_steps if isinstance(filing, Evaluation) else filing.steps
    if filing.status != demo.DRAFT or steps.exists():
        return
    unit = filing.project.unit
    for step in _PATH[stage.stage]:
        if step == "submit":
            filing = workflow.filing_submit(filing=filing, user=_account("filer", unit.name))
        elif step == "department_approve":
            if unit.is_department:  # 本级 filings skip the department's step
                continue
            filing = workflow.filing_department_approve(
                filing=filing, user=_account("department_reviewer", unit.department.name)
            )
        elif step == "department_return":
            indicator = filing.project.indicators.filter(name=stage.indicator).first()
            filing = workflow.filing_department_return(
                filing=filing,
                user=_account("department_reviewer", unit.department.name),
                comment=stage.comment,
                indicator_comments={indicator.pk: stage.indicator_comment} if indicator else {},
            )
        elif step == "finance_approve":
            filing = workflow.filing_finance_approve(
                filing=filing, user=_account("finance_reviewer", _region(unit))
            )
        elif step == "publish":
            filing = workflow.evaluation_publish(
                evaluation=filing, user=_account("finance_reviewer", _region(unit))
            )


def _monitoring(evaluations: dict) -> None:
    """The mid-year round of 相山区 2024, its reports filled and moved to their stages."""
    import datetime

    from projects.models import MonitoringReport
    from projects.monitoring.demo_fill import demo_content
    from projects.monitoring.services import (
        monitoring_follow_up_record,
        monitoring_round_issue,
        monitoring_save_draft,
    )

    region = Region.objects.get(name=demo.MONITORING_REGION)
    finance = _account("finance_reviewer", region.name)
    issued = monitoring_round_issue(
        region=region,
        as_of=datetime.date(*demo.MONITORING_AS_OF),
        deadline=datetime.date(*demo.MONITORING_DEADLINE),
        user=finance,
        note="示例：请各单位如实填报1-6月预算执行和绩效目标完成情况。",
    )
    for plan in demo.MONITORING:
        project = evaluations[plan.filing].project
        report = MonitoringReport.objects.get(round=issued.round, project=project)
        if report.status != demo.DRAFT or report.steps.exists():
            continue
        filer = _account("filer", project.unit.name)
        report = monitoring_save_draft(
            report=report, user=filer, version=None, content=demo_content(report, plan)
        )
        _advance(report, plan)
        if plan.decision:
            monitoring_follow_up_record(
                report=report,
                user=finance,
                decision=plan.decision,
                comment=plan.decision_comment,
            )


def _declarations(evaluations: dict) -> None:
    """Every region's common indicator library; 相山区's 2024 subjects carried into 2025 by the
    year rollover, a few of their target declarations moved to their stages."""
    from projects.models import TargetDeclaration
    from projects.targets.library_seed import seed_library
    from projects.targets.rollover import year_rollover
    from projects.targets.services import declaration_queryset, declaration_save_draft

    for region in Region.objects.filter(name__in=[r.name for r in REGIONS]):
        seed_library(region, user=_account("finance_reviewer", region.name))
    region = Region.objects.get(name=demo.DECLARATION_REGION)
    year_rollover(
        region=region,
        from_year=demo.DECLARATION_YEARS[0],
        to_year=demo.DECLARATION_YEARS[1],
        user=_account("finance_reviewer", region.name),
    )
    for plan in demo.DECLARATIONS:
        old = evaluations[plan.filing].project
        declaration = declaration_queryset().get(rolled_from=old)
        if declaration.status != demo.DRAFT or declaration.steps.exists():
            continue
        # The unit declares next year's plan: last year's budget again.
        plan_content = {
            f"funds.{line.source}.initial": f"{line.adjusted or line.initial or 0:f}"
            for line in old.fund_lines.all()
            if line.source != "total"
        } or {"funds.current_year.initial": f"{getattr(_total(old), 'adjusted', None) or 0:f}"}
        declaration = declaration_save_draft(
            declaration=declaration,
            user=_account("filer", old.unit.name),
            version=None,
            content=plan_content,
        )
        _advance(TargetDeclaration.objects.get(pk=declaration.pk), plan)


def _total(project):
    return next((line for line in project.fund_lines.all() if line.source == "total"), None)


def _region(unit: Unit) -> str:
    return unit.department.region.name


def _account(role: str, scope: str):
    """The demo account acting in a scope: the workflow checks its rights like anyone's."""
    username = next(a.username for a in ACCOUNTS if a.role == role and a.scope == scope)
    return get_user_model().objects.get(username=username)


def _scope(account) -> dict:
    """Resolve an account's scope name to the region, department or unit it names."""
    if account.role in (Membership.Role.FINANCE_REVIEWER, Membership.Role.OBSERVER):
        return {"region": Region.objects.get(name=account.scope)}
    if account.role == Membership.Role.DEPARTMENT_REVIEWER:
        return {"department": Department.objects.get(name=account.scope)}
    return {"unit": Unit.objects.get(name=account.scope)}


def _results(evaluations) -> None:
    """The cycle's end: department draws, 结果应用 decisions, 整改 items and the year's task.

    Draws come first so a re-scored evaluation's suggestion reads its review total; every stage
    goes through the services and is idempotent; the history chain then covers whatever a stage
    wrote without a signal.
    """
    demo_spot_checks.stage()
    demo_decisions.stage()
    demo_rectifications.stage(evaluations)
    demo_scorecard.stage()
    call_command("chain_history")
