"""抽查复核: 以计算得分预填 fills the empty review boxes with the rule's scores, saving nothing."""

from decimal import Decimal

from django.urls import reverse

from projects.models import EvaluationStatus, SpotCheckScore
from projects.review.services.spot_checks import spot_check_score
from tests.projects.test_review_support import (
    build_evaluation,
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)
from tests.projects.test_spot_checks import _scored_item

S = EvaluationStatus


def _boxes(html: str) -> dict[str, str]:
    """{indicator name: value of its 复核得分 box}."""
    boxes = {}
    for part in html.split('aria-label="“')[1:]:
        name = part.split("”", 1)[0]
        start = html.index(part)
        row = html[html.rindex("<input", 0, start) : start]
        value = row.split('value="', 1)[1].split('"', 1)[0]
        boxes[name] = value
    return boxes


def _setup(personas):
    # 1500家 against ≥1600家: the computed 走访企业数量 is 50 × 1500 / 1600 = 46.88.
    evaluation = put_in(
        build_evaluation(personas.unit_a, actuals={0: "1500家"}, reasons={0: "企业搬迁"}),
        S.APPROVED,
    )
    _, item = _scored_item(personas, evaluation)
    return evaluation, item


def test_the_boxes_start_empty_and_prefill_puts_the_computed_scores(client, personas):
    evaluation, item = _setup(personas)
    url = reverse("review:spot_check_item", args=[item.pk])
    client.force_login(personas.frank)
    html = client.get(url).content.decode()
    assert "以计算得分预填" in html
    assert _boxes(html) == {"走访企业数量": "", "营商环境满意度": "", "企业满意度": ""}
    html = client.get(url, {"prefill": "computed"}).content.decode()
    assert _boxes(html) == {
        "走访企业数量": "46.88",
        "营商环境满意度": "30.00",
        "企业满意度": "10.00",
    }
    assert "尚未保存" in html
    assert not SpotCheckScore.objects.exists()  # nothing saved until the reviewer presses 保存


def test_prefill_keeps_the_scores_already_saved(client, personas):
    evaluation, item = _setup(personas)
    visits = evaluation.results.get(indicator__name="走访企业数量")
    spot_check_score(item=item, user=personas.frank, scores={visits.pk: Decimal("40")})
    client.force_login(personas.frank)
    url = reverse("review:spot_check_item", args=[item.pk])
    html = client.get(url, {"prefill": "computed"}).content.decode()
    assert _boxes(html)["走访企业数量"] == "40.00"
    assert _boxes(html)["营商环境满意度"] == "30.00"


def test_the_prefilled_form_saves_as_typed(client, personas):
    evaluation, item = _setup(personas)
    client.force_login(personas.frank)
    url = reverse("review:spot_check_item", args=[item.pk])
    html = client.get(url, {"prefill": "computed"}).content.decode()
    data = {}
    for r in evaluation.results.select_related("indicator"):
        data[f"score_{r.pk}"] = _boxes(html)[r.indicator.name]
        data[f"comment_{r.pk}"] = ""
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.review_total == evaluation.computed_execution_score + Decimal("86.88")


def test_prefill_outside_the_region_is_not_found(client, personas):
    _, item = _setup(personas)
    client.force_login(personas.other_region_finance)
    url = reverse("review:spot_check_item", args=[item.pk])
    assert client.get(url, {"prefill": "computed"}).status_code == 404
    client.force_login(personas.alice)
    assert client.get(url, {"prefill": "computed"}).status_code in (403, 404)
