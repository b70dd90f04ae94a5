"""Without a browser: each irreversible form on the review page carries its question.

confirm.js asks what data-confirm says; the browser tests check submit and bulk approve, these
check that 审核通过, 退回, 公开 and 重新开启 say what will happen.
"""

import pytest

from projects.models import EvaluationStatus as S
from tests.projects.test_review_support import build_evaluation, put_in


def _page(client, user, evaluation) -> str:
    client.force_login(user)
    response = client.get(f"/review/evaluations/{evaluation.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_department_review_asks_before_approving_and_returning(client, personas):
    evaluation = put_in(build_evaluation(personas.unit_a), S.SUBMITTED)
    html = _page(client, personas.dora, evaluation)
    assert 'id="approve-form" data-confirm="审核通过后将送财政局审核，确定审核通过吗？"' in html
    assert (
        'id="return-form" data-confirm="退回后将通知填报单位修改并重新提交，确定退回吗？"' in html
    )
    assert "js/confirm.js" in html


@pytest.mark.django_db
def test_finance_asks_before_approving_publishing_and_reopening(client, personas):
    evaluation = put_in(build_evaluation(personas.unit_a), S.DEPARTMENT_APPROVED)
    html = _page(client, personas.frank, evaluation)
    assert 'data-confirm="审核通过后本自评审核完成，确定审核通过吗？"' in html

    put_in(evaluation, S.APPROVED)
    html = _page(client, personas.frank, evaluation)
    assert 'data-confirm="公开后社会公众可在信息公开页面看到该自评，确定公开吗？"' in html
    assert 'data-confirm="重新开启后将退回填报单位修改，确定重新开启吗？"' in html
