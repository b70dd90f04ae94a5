"""整改 pages: the list (scope, filters, 已逾期), the detail with its forms, the raise page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models.results import Rectification, RectificationStatus
from projects.rectifications import services as services
from tests.projects.results import conftest_rectification as support
from tests.projects.results.conftest_rectification import in_days, raise_item
from tests.projects.test_review_support import build_evaluation

pytestmark = pytest.mark.django_db
world = support.world
S = RectificationStatus
LIST = reverse("results:rectification_list")


def _overdue(item):
    Rectification.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )


def _detail(item):
    return reverse("results:rectification_detail", args=[item.pk])


def test_the_list_shows_each_user_their_scope(client, world):
    mine = raise_item(world, problem="甲单位问题")
    other_eval = build_evaluation(world.p.unit_b, name="开发区项目")
    services.rectification_raise(
        user=world.dan, unit=world.p.unit_b, year=2023, source="finding",
        problem="乙单位问题", deadline=in_days(5), evaluation=other_eval,
    )  # fmt: skip
    seen = {}
    for user in (world.p.alice, world.p.dora, world.p.frank, world.p.bob, world.dan, world.olga):
        client.force_login(user)
        html = client.get(LIST).content.decode()
        seen[user.username] = ("甲单位问题" in html, "乙单位问题" in html)
    assert seen == {
        "alice": (True, False),
        "dora": (True, False),
        "frank": (True, True),
        "bob": (False, True),
        "dan": (False, True),
        "olga": (True, True),
    }
    assert mine.pk


def test_overdue_items_carry_the_badge_and_filter(client, world):
    late = raise_item(world, problem="逾期的问题")
    raise_item(world, problem="未逾期的问题")
    _overdue(late)
    client.force_login(world.p.dora)
    html = client.get(LIST).content.decode()
    assert html.count("rectification-overdue") == 1
    html = client.get(LIST, {"overdue": "1"}).content.decode()
    assert "逾期的问题" in html and "未逾期的问题" not in html
    html = client.get(LIST, {"overdue": "0"}).content.decode()
    assert "逾期的问题" not in html.replace("未逾期的问题", "")


def test_a_closed_item_past_its_deadline_is_not_overdue(client, world):
    item = raise_item(world)
    services.rectification_close(item=item, user=world.p.dora, comment="已核实")
    _overdue(item)
    client.force_login(world.p.frank)
    html = client.get(LIST, {"status": "closed"}).content.decode()
    assert "已销号" in html and "rectification-overdue" not in html


def test_the_list_filters_by_status_source_department_and_year(client, world):
    raise_item(world, problem="发现问题A")
    item = raise_item(world, problem="退回问题B", source="return")
    services.rectification_close(item=item, user=world.p.frank, comment="ok")
    client.force_login(world.p.frank)
    assert "退回问题B" not in client.get(LIST, {"status": "open"}).content.decode()
    assert "发现问题A" not in client.get(LIST, {"source": "return"}).content.decode()
    html = client.get(LIST, {"department": world.p.department_b.pk}).content.decode()
    assert "发现问题A" not in html
    assert "发现问题A" not in client.get(LIST, {"year": 2030}).content.decode()
    assert client.get(LIST, {"year": "abc"}).status_code == 200


def test_the_list_reads_in_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(12):
        item = raise_item(world, problem=f"问题{i}")
        if i % 3 == 0:
            _overdue(item)
    client.force_login(world.p.frank)
    client.get(LIST)
    # session, user, scope; the departments of the filter; count; the page with units,
    # departments and projects joined
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert response.status_code == 200


def test_the_list_needs_a_membership(client, world):
    from tests import factories as f

    client.force_login(f.UserFactory(username="nobody"))
    assert client.get(LIST).status_code == 403


def test_the_detail_shows_the_forms_to_who_may_act(client, world):
    item = raise_item(world)
    client.force_login(world.p.alice)
    html = client.get(_detail(item)).content.decode()
    assert 'id="report-form"' in html and 'id="close-form"' not in html
    client.force_login(world.p.dora)
    html = client.get(_detail(item)).content.decode()
    assert 'id="report-form"' not in html and 'id="close-form"' in html
    client.force_login(world.olga)
    html = client.get(_detail(item)).content.decode()
    assert 'id="report-form"' not in html and 'id="close-form"' not in html


def test_report_then_close_through_the_pages(client, world):
    item = raise_item(world)
    client.force_login(world.p.alice)
    url = reverse("results:rectification_report", args=[item.pk])
    response = client.post(url, {"measures": "", "text": ""})
    assert response.status_code == 422 and "请填写整改措施。" in response.content.decode()
    response = client.post(url, {"measures": "补台账", "evidence": "台账", "text": "已完成"})
    assert response.status_code == 302
    client.force_login(world.p.dora)
    response = client.post(reverse("results:rectification_close", args=[item.pk]), {})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == S.CLOSED
    assert "已销号" in client.get(LIST).content.decode()


def test_another_departments_users_get_404_on_every_page_and_change_nothing(client, world):
    item = raise_item(world)
    posts = {
        "rectification_report": {"measures": "m", "text": "t"},
        "rectification_close": {"comment": "c"},
        "rectification_reopen": {"comment": "c"},
    }
    for user in (world.dan, world.p.bob, world.p.other_region_finance):
        client.force_login(user)
        assert client.get(_detail(item)).status_code == 404
        for name, data in posts.items():
            assert client.post(reverse(f"results:{name}", args=[item.pk]), data).status_code == 404
        new = reverse("results:rectification_new") + f"?evaluation={world.evaluation.pk}"
        assert client.get(new).status_code in (403, 404)
    item.refresh_from_db()
    assert item.status == S.OPEN and item.steps.count() == 1


def test_an_observer_posting_is_refused_and_nothing_changes(client, world):
    item = raise_item(world)
    client.force_login(world.olga)
    response = client.post(reverse("results:rectification_close", args=[item.pk]), {"comment": "c"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == S.OPEN


def test_the_raise_page_is_prefilled_from_the_link(client, world):
    client.force_login(world.p.dora)
    url = reverse("results:rectification_new")
    query = {
        "evaluation": world.evaluation.pk,
        "source": "finding",
        "ref": "W-DEVIATION",
        "about": "走访企业数量",
        "problem": "偏差原因未填写",
    }
    response = client.get(url, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["problem"] == "“走访企业数量”：偏差原因未填写"
    assert form.initial["source"] == "finding"
    response = client.post(
        url + f"?evaluation={world.evaluation.pk}",
        {
            "evaluation": world.evaluation.pk,
            "source": "finding",
            "problem": "偏差原因未填写",
            "deadline": "2000-01-01",
            "source_ref": "W-DEVIATION",
        },
    )
    assert response.status_code == 422
    assert "整改期限不能早于提出日期。" in response.content.decode()
    response = client.post(
        url,
        {
            "evaluation": world.evaluation.pk,
            "source": "finding",
            "problem": "偏差原因未填写",
            "deadline": in_days(15).isoformat(),
            "source_ref": "W-DEVIATION",
        },
    )
    item = Rectification.objects.get()
    assert response.status_code == 302 and response.url == _detail(item)
    assert (item.source_ref, item.unit, item.evaluation) == (
        "W-DEVIATION", world.p.unit_a, world.evaluation,
    )  # fmt: skip


def test_the_raise_page_refuses_filers_and_bad_ids(client, world):
    url = reverse("results:rectification_new")
    client.force_login(world.p.alice)
    assert client.get(url, {"evaluation": world.evaluation.pk}).status_code == 403
    client.force_login(world.p.dora)
    assert client.get(url, {"evaluation": "x"}).status_code == 404
    assert client.get(url).status_code == 404


def test_the_review_page_links_findings_to_the_raise_page_for_reviewers_only(client, world):
    page = reverse("review:evaluation_detail", args=[world.evaluation.pk])
    client.force_login(world.p.dora)
    response = client.get(page)
    assert response.context["rectify_url"].startswith(reverse("results:rectification_new"))
    client.force_login(world.p.alice)
    assert client.get(page).context["rectify_url"] == ""


def test_a_flagged_spot_check_item_links_to_the_raise_page(client, world):
    from decimal import Decimal

    from projects.models import SpotCheckItem
    from projects.review.services.spot_checks import spot_check_draw, spot_check_score
    from tests.projects.test_review_support import put_in

    evaluation = put_in(world.evaluation, "approved")
    check = spot_check_draw(
        region=world.p.region, year=2023, user=world.p.frank, share=Decimal("1"), seed=1
    )
    item = SpotCheckItem.objects.get(spot_check=check, evaluation=evaluation)
    results = {r.indicator.name: r for r in evaluation.results.select_related("indicator")}
    spot_check_score(
        item=item,
        user=world.p.frank,
        scores={
            results["走访企业数量"].pk: Decimal("40"),
            results["营商环境满意度"].pk: Decimal("30"),
            results["企业满意度"].pk: Decimal("10"),
        },
    )
    client.force_login(world.p.frank)
    html = client.get(reverse("review:spot_check_detail", args=[check.pk])).content.decode()
    raise_url = reverse("results:rectification_new")
    assert f"{raise_url}?evaluation={evaluation.pk}&amp;source=spot_check" in html


def test_the_detail_reads_in_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    item = raise_item(world)
    for _ in range(3):
        services.rectification_report(
            item=item, user=world.p.alice, measures="m", evidence="e", text="t"
        )
        services.rectification_reopen(item=item, user=world.p.dora, comment="再补充")
    client.force_login(world.p.dora)
    client.get(_detail(item))
    # session, user, scope; the item with its unit, department, region, filing, people; the
    # steps with their actors
    with django_assert_max_num_queries(5):
        assert client.get(_detail(item)).status_code == 200
