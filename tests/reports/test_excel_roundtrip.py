"""Every workbook the app writes uploads back unchanged: the filer downloads it, uploads the same
bytes, and the preview says nothing changes (未作任何修改); confirming writes nothing.

The 部门整体 report workbook used to be refused here: its 自评报告 sheet has no 项目编号, and the
reader took it for a damaged 自评表.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from projects.models import (
    Evaluation,
    EvaluationRevision,
    FundLine,
    Indicator,
    IndicatorResult,
    Membership,
    Region,
)

UPLOAD = reverse("projects:upload")


def _state(evaluation):
    """What an upload could change: the version, the revisions, every filed figure and text."""
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    return (
        evaluation.version,
        evaluation.goal_actual,
        EvaluationRevision.objects.filter(evaluation=evaluation).count(),
        sorted(
            FundLine.objects.filter(project=evaluation.project).values_list(
                "source", "initial", "adjusted", "executed"
            )
        ),
        sorted(
            IndicatorResult.objects.filter(evaluation=evaluation).values_list(
                "indicator_id", "actual", "claimed_score", "deviation_reason", "achievement"
            )
        ),
    )


def _upload_unchanged(client, data: bytes, evaluations) -> None:
    before = [_state(e) for e in evaluations]
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("自评表.xlsx", data), "purpose": "actuals"}
    )
    html = response.content.decode()
    assert response.status_code == 200, re.findall(r"<td>[^<]*</td>", html)[:12]
    assert "未作任何修改" in html
    token = re.search(r'name="token" value="([^"]+)"', html)
    if token:  # a preview with a confirm button: pressing it still writes nothing
        client.post(UPLOAD, {"token": token.group(1), "confirm": "1"})
    assert [_state(e) for e in evaluations] == before


def _download(client, name, *args, **params) -> bytes:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("money_unit", ["万元", "元"])
def test_the_project_table_workbook_uploads_back_unchanged(
    client, personas, business_env, money_unit
):
    client.force_login(personas.alice)
    data = _download(
        client, "reports:evaluation_table_xlsx", business_env.pk, money_unit=money_unit
    )
    _upload_unchanged(client, data, [business_env])


def test_a_table_printed_to_two_places_in_wan_yuan_uploads_back_unchanged(
    client, personas, kfq_projects
):
    # Seed 000: 672,362 元 prints 67.24 万元; read back it stands for the stored 672,362 元.
    audit, militia = kfq_projects
    client.force_login(personas.bob)
    for evaluation in (audit, militia):
        data = _download(client, "reports:evaluation_table_xlsx", evaluation.pk)
        _upload_unchanged(client, data, [evaluation])


def test_the_project_report_workbook_uploads_back_unchanged(client, personas, business_env):
    client.force_login(personas.alice)
    data = _download(client, "reports:evaluation_report_xlsx", business_env.pk)
    _upload_unchanged(client, data, [business_env])


def test_the_department_overall_table_workbook_uploads_back_unchanged(
    client, personas, urumqi_overall
):
    client.force_login(personas.bob)
    data = _download(client, "reports:evaluation_table_xlsx", urumqi_overall.pk)
    _upload_unchanged(client, data, [urumqi_overall])


def test_the_department_overall_report_workbooks_upload_back_unchanged(
    client, personas, urumqi_overall
):
    client.force_login(personas.bob)
    department = personas.department_b.pk
    for data in (
        _download(client, "reports:evaluation_report_xlsx", urumqi_overall.pk),
        _download(client, "reports:department_report_xlsx", department, 2023),
        _download(client, "reports:department_package_xlsx", department, 2023),
    ):
        _upload_unchanged(client, data, [urumqi_overall])


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_upload_template_uploads_back_unchanged(
    client, personas, urumqi_overall, kfq_projects, year
):
    client.force_login(personas.bob)
    data = client.get(reverse("projects:upload_template"), {"year": year}).content
    _upload_unchanged(client, data, [urumqi_overall, *kfq_projects])


def test_a_table_with_an_unscored_sub_row_uploads_back_unchanged(client, personas, business_env):
    # A 其中 row has no 分值: the form prints — in its 分值 and 得分 cells.
    Indicator.objects.create(
        project=business_env.project,
        order=99,
        level1="满意度指标",
        level2="服务对象满意度指标",
        name="其中：企业回访满意度",
        target="≥90%",
        weight=None,
    )
    client.force_login(personas.alice)
    data = _download(client, "reports:evaluation_table_xlsx", business_env.pk)
    _upload_unchanged(client, data, [business_env])


def test_the_three_column_variant_uploads_back_unchanged(client, personas, business_env):
    # 指标性质 / 指标值 / 度量单位 instead of 年度指标值: the target is not read, not refused.
    region = personas.region
    region.table_variant = Region.TableVariant.THREE_COLUMN_TARGET
    region.save()
    client.force_login(personas.alice)
    data = _download(client, "reports:evaluation_table_xlsx", business_env.pk)
    _upload_unchanged(client, data, [business_env])


def test_the_finance_bureau_uploads_the_printed_table_as_targets_unchanged(
    client, personas, business_env
):
    client.force_login(personas.frank)
    data = _download(client, "reports:evaluation_table_xlsx", business_env.pk)
    before = _state(business_env)
    targets = list(Indicator.objects.filter(project=business_env.project).values())
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("自评表.xlsx", data), "purpose": "targets"}
    )
    assert response.status_code == 200, re.findall(r"<td>[^<]*</td>", response.content.decode())
    assert "未作任何修改" in response.content.decode()
    assert _state(business_env) == before
    assert list(Indicator.objects.filter(project=business_env.project).values()) == targets


def test_every_workbook_of_the_demo_uploads_back_unchanged_by_its_filer(client, db):
    """The seeds as loaded for the demo: seed 000's 17 projects (57.9948 万元 and the like, printed
    to two places), seed 002's 部门整体 filing, the template of each filer's year."""
    call_command("load_demo", stdout=None)
    filers = Membership.objects.filter(role=Membership.Role.FILER).select_related("user", "unit")
    assert filers.count() >= 4
    for membership in filers:
        client.force_login(membership.user)
        # What the filer may still change: the demo has moved the rest on through review.
        filed = list(Evaluation.objects.filter(project__unit=membership.unit))
        evaluations = [e for e in filed if e.is_editable]
        assert evaluations, membership.user.username
        for evaluation in evaluations:
            for name in ("reports:evaluation_table_xlsx", "reports:evaluation_report_xlsx"):
                _upload_unchanged(client, _download(client, name, evaluation.pk), [evaluation])
        # The year's template also lists submitted filings, and an upload holding one is refused
        # as a whole: only years in which everything is still the filer's go back unchanged.
        moved_on = {e.year for e in filed if not e.is_editable}
        for year in sorted({e.year for e in evaluations} - moved_on):
            template = client.get(reverse("projects:upload_template"), {"year": year}).content
            _upload_unchanged(client, template, [e for e in evaluations if e.year == year])
