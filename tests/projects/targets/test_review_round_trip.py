"""A declaration through the real checks and the review pages: submitted by its unit, returned by
the department with an indicator comment, fixed, resubmitted, approved by department and finance."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from projects.models import EvaluationStatus, Membership, TargetDeclaration
from projects.review.services.workflow import filing_submit
from projects.targets.services import declaration_save_draft, declaration_start
from tests import factories as f

S = EvaluationStatus
ROWS = (
    ("产出指标", "数量指标", "培训人次", "≥500人次", "30", ""),
    ("产出指标", "质量指标", "验收合格率", "≥95%", "20", ""),
    ("成本指标", "经济成本指标", "人均培训成本", "≤300元/人次", "10", ""),
    ("效益指标", "社会效益指标", "政策知晓率", "≥85%", "20", ""),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "10", "抽样问卷调查"),
)


def _declared(personas):
    unit = f.UnitFactory(department=personas.department_a, name="相山区政务服务中心", code="A1")
    carol = f.UserFactory(username="carol")
    f.membership(carol, Membership.Role.FILER, unit=unit)
    project = f.ProjectFactory(unit=unit, year=2027, name="政务服务能力提升")
    indicators = [
        f.IndicatorFactory(project=project, order=n, level1=r[0], level2=r[1], name=r[2])
        for n, r in enumerate(ROWS, start=1)
    ]
    declaration = declaration_start(project=project, user=carol)
    content = {"goal_expected": "提升政务服务便利度", "funds.current_year.initial": "300000"}
    for indicator, row in zip(indicators, ROWS, strict=True):
        for name, value in zip(("target", "weight", "method"), row[3:], strict=True):
            content[f"indicators.{indicator.pk}.{name}"] = value
    declaration = declaration_save_draft(
        declaration=declaration, user=carol, version=declaration.version, content=content
    )
    return carol, declaration, indicators


def test_a_declaration_goes_back_with_a_comment_and_then_through_both_reviews(client, personas):
    carol, declaration, indicators = _declared(personas)
    errors = [x for x in declaration.result["findings"] if x["severity"] == "error"]
    assert errors == []
    filing_submit(filing=declaration, user=carol)
    review = reverse("targets:declaration_review", args=[declaration.pk])

    client.force_login(personas.dora)
    page = client.get(review)
    assert page.context["page"].funds[0].initial == "300,000.00"
    cost = indicators[2]
    client.post(
        reverse("targets:declaration_department_return", args=[declaration.pk]),
        {"comment": "成本指标偏高", f"indicator_{cost.pk}": "请按市场价测算"},
    )
    declaration = TargetDeclaration.objects.get(pk=declaration.pk)
    assert declaration.status == S.RETURNED
    step = declaration.steps.get(action="department_return")
    assert step.indicator_comments == {str(cost.pk): "请按市场价测算"}

    declaration = declaration_save_draft(
        declaration=declaration,
        user=carol,
        version=declaration.version,
        content={f"indicators.{cost.pk}.target": "≤250元/人次"},
    )
    filing_submit(filing=declaration, user=carol)
    client.post(reverse("targets:declaration_department_approve", args=[declaration.pk]))
    client.force_login(personas.frank)
    client.post(reverse("targets:declaration_finance_approve", args=[declaration.pk]))
    declaration = TargetDeclaration.objects.get(pk=declaration.pk)
    assert declaration.status == S.APPROVED
    assert declaration.project.indicators.get(pk=cost.pk).target == "≤250元/人次"
    text = client.get(review).content.decode()
    assert "人均培训成本：请按市场价测算" in text and "财政审核通过" in text
    assert Decimal(declaration.project.fund_lines.get(source="total").initial) == 300000
