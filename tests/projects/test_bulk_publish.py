"""Bulk publication from the review queue: the confirmation page lists exactly the filings that
will be published (title, unit, score, grade) and those that will not, with the reason; the
confirm button carries the count; confirming publishes each through `evaluation_publish`.

frank is the region's finance bureau; dora reviews department A (publishing only where the
region allows it); carol files for department A's subordinate unit.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from projects.models import Evaluation, EvaluationStatus, ReviewStep
from projects.review.services import workflow
from tests.projects.test_forbidden_writes import assert_nothing_changed
from tests.projects.test_review_support import (
    CLEAN_TOTAL,
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
    subordinate_of_a,
)

S = EvaluationStatus
pytestmark = pytest.mark.django_db
PLACEHOLDER = "（未填写其他需要说明的问题）"


@pytest.fixture
def filings(personas):
    """Department A's subordinate unit: a clean approved filing, an approved one whose report
    keeps a placeholder, and one still waiting for the finance bureau."""
    unit = subordinate_of_a(personas).unit
    clean = put_in(build_evaluation(unit), S.APPROVED)
    blocked = build_evaluation(unit, name="报告未写完的项目")
    blocked.notes = {"other": PLACEHOLDER}
    blocked.save()
    put_in(blocked, S.APPROVED)
    waiting = put_in(build_evaluation(unit, name="待财政审核的项目"), S.DEPARTMENT_APPROVED)
    return clean, blocked, waiting


def _url(ids, **extra):
    query = "&".join(f"ids={pk}" for pk in ids)
    return f"{reverse('review:evaluation_bulk_publish')}?{query}"


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</table>", start)]


def test_preview_lists_what_will_and_will_not_be_published_and_changes_nothing(
    client, personas, filings
):
    clean, blocked, waiting = filings
    client.force_login(personas.frank)
    response = assert_nothing_changed(lambda: client.get(_url([clean.pk, blocked.pk, waiting.pk])))
    assert response.status_code == 200
    html = response.content.decode()
    ready = _section(html, "bulk-ready")
    assert clean.project.name in ready and "相山区政务服务中心" in ready
    assert str(CLEAN_TOTAL) in ready and "优" in ready
    assert blocked.project.name not in ready and waiting.project.name not in ready
    refused = _section(html, "bulk-refused")
    assert "报告未写完的项目" in refused and "自评报告有 1 处问题" in refused
    assert PLACEHOLDER in refused
    assert "待财政审核的项目" in refused and "只有审核通过的自评可以公开" in refused
    assert "确认公开 1 项" in html
    assert 'data-confirm="将公开 1 项自评' in html
    # The confirm form posts exactly the ready filing.
    form = html[html.index('id="bulk-confirm-form"') :]
    form = form[: form.index("</form>")]
    assert f'name="ids" value="{clean.pk}"' in form
    assert f'value="{blocked.pk}"' not in form and f'value="{waiting.pk}"' not in form


def test_confirming_publishes_the_listed_filings_through_the_one_service(client, personas, filings):
    clean, blocked, waiting = filings
    client.force_login(personas.frank)
    response = client.post(
        reverse("review:evaluation_bulk_publish"),
        {"ids": [clean.pk, blocked.pk, waiting.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "已批量公开 1 项" in html
    assert "未公开“报告未写完的项目”" in html
    statuses = dict(Evaluation.objects.values_list("pk", "status"))
    assert statuses == {
        clean.pk: S.PUBLISHED,
        blocked.pk: S.APPROVED,
        waiting.pk: S.DEPARTMENT_APPROVED,
    }
    step = ReviewStep.objects.get(evaluation=clean, action=ReviewStep.Action.PUBLISH)
    assert step.actor == personas.frank
    assert Evaluation.objects.get(pk=clean.pk).published_at is not None


def test_the_queue_offers_publication_of_approved_filings_to_the_finance_bureau(
    client, personas, filings
):
    clean, _, _ = filings
    client.force_login(personas.frank)
    html = client.get(reverse("review:queue") + "?todo=all").content.decode()
    assert 'id="bulk-publish"' in html
    assert f'name="ids" value="{clean.pk}"' in html


def test_department_reviewer_bulk_publishes_only_where_the_region_allows(client, personas, filings):
    clean, _, _ = filings
    client.force_login(personas.dora)
    queue = client.get(reverse("review:queue") + "?todo=all").content.decode()
    assert f'name="ids" value="{clean.pk}"' not in queue  # not publishable, not awaiting her
    assert client.get(_url([clean.pk])).status_code == 403
    url = reverse("review:evaluation_bulk_publish")
    response = assert_nothing_changed(lambda: client.post(url, {"ids": [clean.pk]}))
    assert response.status_code == 403

    personas.region.department_publishes = True
    personas.region.save()
    queue = client.get(reverse("review:queue") + "?todo=all").content.decode()
    assert f'name="ids" value="{clean.pk}"' in queue
    assert "确认公开 1 项" in client.get(_url([clean.pk])).content.decode()
    client.post(url, {"ids": [clean.pk]})
    assert Evaluation.objects.get(pk=clean.pk).status == S.PUBLISHED


def test_another_departments_filing_is_not_found_and_nothing_is_published(
    client, personas, filings
):
    clean, _, _ = filings
    personas.region.department_publishes = True
    personas.region.save()
    theirs = put_in(build_evaluation(personas.unit_b, name="开发区项目"), S.APPROVED)
    client.force_login(personas.dora)
    assert client.get(_url([clean.pk, theirs.pk])).status_code == 404
    url = reverse("review:evaluation_bulk_publish")
    response = assert_nothing_changed(lambda: client.post(url, {"ids": [clean.pk, theirs.pk]}))
    assert response.status_code == 404


def test_filer_may_not_bulk_publish(client, personas, filings):
    clean, _, _ = filings
    client.force_login(personas.alice)
    url = reverse("review:evaluation_bulk_publish")
    response = assert_nothing_changed(lambda: client.post(url, {"ids": [clean.pk]}))
    assert response.status_code == 403


def test_bulk_publish_service_skips_what_cannot_be_published_with_the_reason(personas, filings):
    clean, blocked, waiting = filings
    outcome = workflow.evaluations_bulk_publish(
        evaluations=[clean, blocked, waiting], user=personas.frank
    )
    assert [e.pk for e in outcome.published] == [clean.pk]
    reasons = dict((e.pk, r) for e, r in outcome.skipped)
    assert reasons[blocked.pk].startswith("自评报告有 1 处问题：")
    assert "当前状态为“待财政审核”" in reasons[waiting.pk]


def test_bulk_publish_service_refuses_the_whole_batch_with_a_filing_it_may_not_publish(
    personas, filings
):
    clean, _, _ = filings
    with pytest.raises(PermissionDenied):
        workflow.evaluations_bulk_publish(evaluations=[clean], user=personas.dora)
    assert Evaluation.objects.get(pk=clean.pk).status == S.APPROVED


def test_a_filing_that_moved_after_the_preview_is_skipped_not_published(client, personas, filings):
    clean, _, _ = filings
    client.force_login(personas.frank)
    assert "确认公开 1 项" in client.get(_url([clean.pk])).content.decode()
    # Reopened in another tab between the preview and the confirmation.
    workflow.evaluation_reopen(evaluation=clean, user=personas.frank, reason="发现数据有误")
    response = client.post(
        reverse("review:evaluation_bulk_publish"), {"ids": [clean.pk]}, follow=True
    )
    assert "已批量公开" not in response.content.decode()
    assert Evaluation.objects.get(pk=clean.pk).status == S.RETURNED
    assert Decimal(Evaluation.objects.get(pk=clean.pk).computed_total) == CLEAN_TOTAL
