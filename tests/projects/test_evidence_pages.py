"""佐证材料 on the pages: with each indicator on the filing form, on the review page and on the
spot-check page (read-only), a reviewer's request for evidence on a return, and the pinned
query counts of the three pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import EvaluationStatus, ReviewComment, SpotCheck, SpotCheckItem
from projects.review.services import workflow
from tests.projects.evidence_support import PDF, PNG, make_world
from tests.projects.test_review_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


def _row_html(html: str, indicator_pk: int) -> str:
    start = html.index(f'id="row-{indicator_pk}"')
    return html[start : html.index("</tr>", start)]


def _submitted(world):
    return workflow.evaluation_submit(evaluation=world.evaluation, user=world.carol)


def test_files_are_listed_with_their_indicator_on_the_filing_form(client, world):
    first, second = world.evaluation.project.indicators.order_by("order")[:2]
    row = world.attach(name="走访台账.pdf", indicator=first)
    world.attach(name="资金拨付凭证.png", content=PNG, fund_line=world.fund_line)
    world.attach(name="自评报告附件.pdf")
    client.force_login(world.carol)
    html = client.get(reverse("projects:evaluation_edit", args=[world.evaluation.pk])).content
    html = html.decode()
    assert "走访台账.pdf" in _row_html(html, first.pk)
    assert "走访台账.pdf" not in _row_html(html, second.pk)
    assert reverse("projects:evidence_download", args=[row.pk]) in html
    panel = html[html.index('id="evidence-panel"') :]
    assert "资金拨付凭证.png" in panel and "自评报告附件.pdf" in panel and "共 3 份" in panel


def test_reviewers_read_the_files_on_the_review_page(client, world):
    row = world.attach(name="走访台账.pdf", indicator=world.indicator)
    world.attach(name="自评报告附件.pdf")
    _submitted(world)
    client.force_login(world.personas.dora)
    response = client.get(reverse("review:evaluation_detail", args=[world.evaluation.pk]))
    html = response.content.decode()
    indicator_row = html[html.index(f'data-indicator="{world.indicator.pk}"') :]
    indicator_row = indicator_row[: indicator_row.index("</tr>")]
    assert "走访台账.pdf" in indicator_row and row.sha256[:12] in indicator_row
    assert reverse("projects:evidence_download", args=[row.pk]) in indicator_row
    assert "自评报告附件.pdf" in html[html.index('id="evidence-panel"') :]
    # read-only: no upload control, no remove button
    assert "evidence-upload" not in html and "evidence-remove" not in html
    download = client.get(reverse("projects:evidence_download", args=[row.pk]))
    assert b"".join(download.streaming_content) == PDF


def test_the_finance_bureau_reads_them_on_the_spot_check_page(client, world):
    row = world.attach(name="走访台账.pdf", indicator=world.indicator)
    put_in(world.evaluation, EvaluationStatus.APPROVED)
    p = world.personas
    check = SpotCheck.objects.create(region=p.region, year=2023, seed=1, drawn_by=p.frank)
    item = SpotCheckItem.objects.create(spot_check=check, evaluation=world.evaluation)
    client.force_login(p.frank)
    html = client.get(reverse("review:spot_check_item", args=[item.pk])).content.decode()
    summary = html[html.index('id="evidence-summary"') :]
    assert "佐证材料（共 1 份）" in summary and "指标：走访企业数量" in summary
    assert reverse("projects:evidence_download", args=[row.pk]) in summary


@pytest.mark.parametrize("text", ["", "走访数量与台账不一致"])
def test_a_reviewer_asks_for_evidence_on_an_indicator_and_the_filer_sees_it(client, world, text):
    first, second = world.evaluation.project.indicators.order_by("order")[:2]
    _submitted(world)
    client.force_login(world.personas.dora)
    detail = client.get(reverse("review:evaluation_detail", args=[world.evaluation.pk]))
    assert f'name="evidence_{first.pk}"' in detail.content.decode()
    response = client.post(
        reverse("review:evaluation_department_return", args=[world.evaluation.pk]),
        {"comment": "请补充材料", f"indicator_{first.pk}": text, f"evidence_{first.pk}": "1"},
    )
    assert response.status_code == 302
    comment = ReviewComment.objects.get(indicator=first)
    assert comment.needs_evidence and comment.text == (text or "请补充佐证材料。")
    client.force_login(world.carol)
    html = client.get(reverse("projects:evaluation_edit", args=[world.evaluation.pk])).content
    html = html.decode()
    assert "需补充佐证材料" in _row_html(html, first.pk)
    assert "需补充佐证材料" not in _row_html(html, second.pk)
    # the filer answers the request on the returned filing
    world.evaluation.refresh_from_db()
    assert world.evaluation.status == EvaluationStatus.RETURNED
    assert world.attach(name="补充台账.pdf", indicator=first).pk


def test_the_finance_bureau_asks_for_evidence_too(world):
    first = world.indicator
    put_in(world.evaluation, EvaluationStatus.DEPARTMENT_APPROVED)
    workflow.evaluation_finance_return(
        evaluation=world.evaluation,
        user=world.personas.frank,
        comment="补充材料",
        evidence_requests={first.pk},
    )
    assert ReviewComment.objects.get(indicator=first).needs_evidence


def test_a_request_on_another_filings_indicator_changes_nothing(client, world):
    from tests.projects.test_review_support import build_evaluation

    other = build_evaluation(world.unit, name="另一个项目").project.indicators.first()
    _submitted(world)
    client.force_login(world.personas.dora)
    client.post(
        reverse("review:evaluation_department_return", args=[world.evaluation.pk]),
        {"comment": "请补充材料", f"evidence_{other.pk}": "1"},
    )
    world.evaluation.refresh_from_db()
    assert world.evaluation.status == EvaluationStatus.SUBMITTED
    assert not ReviewComment.objects.exists()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured)


def test_the_pages_read_the_files_in_one_query_however_many(client, world):
    """The filing form, the review page and the spot-check page: the same number of queries
    with one file as with twelve spread over the indicators, the fund lines and the report."""
    p = world.personas
    evaluation = world.evaluation
    world.attach(indicator=world.indicator)
    check = SpotCheck.objects.create(region=p.region, year=2023, seed=1, drawn_by=p.frank)
    item = SpotCheckItem.objects.create(spot_check=check, evaluation=evaluation)
    pages = [
        (world.carol, reverse("projects:evaluation_edit", args=[evaluation.pk])),
        (p.dora, reverse("review:evaluation_detail", args=[evaluation.pk])),
        (p.frank, reverse("review:spot_check_item", args=[item.pk])),
    ]
    before = []
    for user, url in pages:
        client.force_login(user)
        before.append(_count(client, url))
    for indicator in evaluation.project.indicators.all():
        world.attach(name="照片.png", content=PNG, indicator=indicator)
        world.attach(name="台账.pdf", indicator=indicator)
    for line in evaluation.project.fund_lines.all():
        world.attach(name="凭证.pdf", fund_line=line)
    world.attach()
    world.attach(name="说明.pdf")
    after = []
    for user, url in pages:
        client.force_login(user)
        after.append(_count(client, url))
    assert after == before
