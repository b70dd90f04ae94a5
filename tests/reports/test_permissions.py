"""Every report view starts from the gate: out of scope is 404, signed out goes to login."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.reports.conftest import build_evaluation

EVALUATION_VIEWS = (
    "reports:evaluation_table",
    "reports:evaluation_table_pdf",
    "reports:evaluation_table_xlsx",
    "reports:evaluation_report",
    "reports:evaluation_report_pdf",
    "reports:evaluation_report_xlsx",
)
DEPARTMENT_VIEWS = (
    "reports:department_detail",
    "reports:department_summary",
    "reports:department_summary_pdf",
    "reports:department_summary_xlsx",
    "reports:department_report",
    "reports:department_report_pdf",
    "reports:department_report_xlsx",
    "reports:department_package",
    "reports:department_package_xlsx",
)


@pytest.mark.parametrize("name", EVALUATION_VIEWS)
def test_another_departments_filer_gets_404_for_an_evaluation(client, personas, business_env, name):
    client.force_login(personas.bob)
    assert client.get(reverse(name, args=[business_env.pk])).status_code == 404


@pytest.mark.parametrize("name", EVALUATION_VIEWS)
def test_another_regions_finance_reviewer_gets_404(client, personas, business_env, name):
    client.force_login(personas.other_region_finance)
    assert client.get(reverse(name, args=[business_env.pk])).status_code == 404


@pytest.mark.parametrize("name", EVALUATION_VIEWS)
def test_signed_out_visitors_are_sent_to_login(client, business_env, name):
    response = client.get(reverse(name, args=[business_env.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("user", ["alice", "dora", "frank"])
def test_everyone_in_scope_reads_the_table(client, personas, business_env, user):
    client.force_login(getattr(personas, user))
    assert (
        client.get(reverse("reports:evaluation_table", args=[business_env.pk])).status_code == 200
    )


@pytest.mark.parametrize("name", DEPARTMENT_VIEWS)
def test_another_department_gets_404(client, personas, business_env, name):
    client.force_login(personas.bob)
    assert client.get(reverse(name, args=[personas.department_a.pk, 2023])).status_code == 404


@pytest.mark.parametrize("name", DEPARTMENT_VIEWS)
def test_signed_out_visitors_are_sent_to_login_from_department_pages(
    client, personas, business_env, name
):
    response = client.get(reverse(name, args=[personas.department_a.pk, 2023]))
    assert response.status_code == 302


def test_a_filer_sees_only_their_units_rows_in_the_department_summary(
    client, personas, business_env
):
    other_unit = f.UnitFactory(
        department=personas.department_a, name="相山区政务服务中心", code="A1"
    )
    build_evaluation("seed001-xiangshan-govoffice-2023-work-funds.json", other_unit)
    url = reverse("reports:department_summary", args=[personas.department_a.pk, 2023])
    client.force_login(personas.alice)
    html = client.get(url).content.decode()
    assert "区创优营商环境服务中心工作经费" in html and "区政府工作经费" not in html
    client.force_login(personas.dora)
    html = client.get(url).content.decode()
    assert "区创优营商环境服务中心工作经费" in html and "区政府工作经费" in html


def test_index_lists_only_what_the_user_may_see(client, personas, business_env, urumqi_overall):
    client.force_login(personas.alice)
    html = client.get(reverse("reports:index")).content.decode()
    assert personas.department_a.name in html and personas.department_b.name not in html
    assert reverse("reports:region_export") not in html
    client.force_login(personas.frank)
    html = client.get(reverse("reports:index")).content.decode()
    assert personas.department_b.name in html and reverse("reports:region_export") in html
