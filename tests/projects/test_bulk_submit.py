"""Bulk submit from the workspace: a preview of what will go and what will not, then the submit."""

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, ReviewStep
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

S = EvaluationStatus
URL = reverse("projects:bulk_submit")


@pytest.fixture
def filings(personas):
    ready = build_evaluation(personas.unit_a, name="准备好的项目")
    also_ready = build_evaluation(personas.unit_a, name="也准备好的项目")
    # 1500家 against ≥1600家 with no deviation reason: deviation_missing blocks the submit.
    blocked = build_evaluation(personas.unit_a, name="缺偏差原因的项目", actuals={0: "1500家"})
    return ready, also_ready, blocked


def _ids(*evaluations):
    return {"ids": [e.pk for e in evaluations], "year": 2023}


def test_the_preview_lists_what_will_be_submitted_and_what_is_refused_with_the_reason(
    client, personas, filings
):
    ready, also_ready, blocked = filings
    client.force_login(personas.alice)
    response = client.get(URL, _ids(ready, also_ready, blocked))
    html = response.content.decode()
    assert response.status_code == 200
    will, refused = html.split('id="will-refuse"')
    assert "准备好的项目" in will and "也准备好的项目" in will
    assert "缺偏差原因的项目" not in will.split('id="will-submit"')[1]
    assert "缺偏差原因的项目" in refused and "偏差原因" in refused
    assert "提交这 2 项（提交后不能再修改）" in html
    assert 'data-confirm="将提交 2 项自评，提交后不能再修改，确定提交吗？"' in html
    # The confirmation form carries exactly the filings that will go.
    form = html[html.index('id="bulk-submit-confirm"') :]
    form = form[: form.index("</form>")]
    assert f'value="{ready.pk}"' in form and f'value="{also_ready.pk}"' in form
    assert f'value="{blocked.pk}"' not in form
    # Looking changed nothing.
    for evaluation in filings:
        evaluation.refresh_from_db()
        assert evaluation.status == S.DRAFT


def test_confirming_submits_each_through_the_submit_service_and_reports_the_refused(
    client, personas, filings
):
    ready, also_ready, blocked = filings
    client.force_login(personas.alice)
    response = client.post(URL, _ids(ready, also_ready, blocked), follow=True)
    assert response.redirect_chain[-1][0] == reverse("projects:workspace") + "?year=2023"
    html = response.content.decode()
    assert "已提交 2 项" in html and "未提交“缺偏差原因的项目”" in html
    for evaluation in (ready, also_ready):
        evaluation.refresh_from_db()
        # Unit A is its department's own unit: the service sends it straight to finance.
        assert evaluation.status == S.DEPARTMENT_APPROVED
        assert ReviewStep.objects.filter(
            evaluation=evaluation, action=ReviewStep.Action.SUBMIT, actor=personas.alice
        ).exists()
    blocked.refresh_from_db()
    assert blocked.status == S.DRAFT


def test_a_filing_already_submitted_is_refused_not_resubmitted(client, personas, filings):
    ready = put_in(filings[0], S.SUBMITTED)
    client.force_login(personas.alice)
    html = client.get(URL, _ids(ready)).content.decode()
    assert "所选自评都不能提交" in html and "待主管部门审核" in html
    client.post(URL, _ids(ready))
    assert ReviewStep.objects.filter(evaluation=ready, action=ReviewStep.Action.SUBMIT).count() == 0


def test_another_units_filing_is_not_found_and_nothing_is_submitted(client, personas, filings):
    theirs = build_evaluation(personas.unit_b, name="开发区的项目")
    client.force_login(personas.alice)
    assert client.get(URL, _ids(filings[0], theirs)).status_code == 404
    assert client.post(URL, _ids(filings[0], theirs)).status_code == 404
    for evaluation in (filings[0], theirs):
        evaluation.refresh_from_db()
        assert evaluation.status == S.DRAFT


@pytest.mark.parametrize("who", ["dora", "frank"])
def test_reviewers_cannot_bulk_submit(client, personas, filings, who):
    client.force_login(getattr(personas, who))
    assert client.post(URL, _ids(filings[0])).status_code == 403
    filings[0].refresh_from_db()
    assert filings[0].status == S.DRAFT


def test_nothing_ticked_sends_the_filer_back_with_a_message(client, personas):
    client.force_login(personas.alice)
    response = client.get(URL, {"year": 2023}, follow=True)
    assert "请先勾选要提交的自评" in response.content.decode()


def test_the_workspace_offers_boxes_only_on_open_filings(client, personas, filings):
    submitted = put_in(filings[0], S.SUBMITTED)
    client.force_login(personas.alice)
    html = client.get(reverse("projects:workspace"), {"year": 2023}).content.decode()
    assert 'id="bulk-submit-form"' in html
    assert f'name="ids" value="{filings[1].pk}"' in html
    assert f'name="ids" value="{submitted.pk}"' not in html
