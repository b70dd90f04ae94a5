"""The signature block printed under the 自评表 and at the end of a report, in the labels the
region uses (set in the admin, not in code): national default 填报单位（公章）, 单位负责人, 填报人,
联系电话, 填报日期; seed 002 prints 部门单位名称（公章） and 填报时间."""

from django.urls import reverse

from tests import factories as f
from tests.reports import pdftools

DEFAULT = ("填报单位（公章）：", "单位负责人：", "填报人：", "联系电话：", "填报日期：")
SEED_002 = ["部门单位名称（公章）", "填报时间"]


def _pdf(client, user, name, *args) -> bytes:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, response.content[:300]
    return response.content


def test_the_table_prints_the_national_signature_block_after_the_total(
    client, personas, business_env
):
    pages = pdftools.pages_text(
        _pdf(client, personas.alice, "reports:evaluation_table_pdf", business_env.pk)
    )
    last = pages[-1]
    for label in DEFAULT:
        assert label in last, label
        assert "".join(pages).count(label) == 1, label
    assert last.index("总分") < last.index("填报单位（公章）：")


def test_a_region_configured_like_seed_002_prints_its_own_labels(client, personas, urumqi_overall):
    personas.region.signature_fields = SEED_002
    personas.region.save()
    table = pdftools.text(
        _pdf(client, personas.bob, "reports:evaluation_table_pdf", urumqi_overall.pk)
    )
    assert "部门单位名称（公章）：" in table and "填报时间：" in table
    assert "填报单位（公章）" not in table and "单位负责人" not in table

    report = pdftools.pages_text(
        _pdf(client, personas.bob, "reports:department_report_pdf", personas.department_b.pk, 2023)
    )
    # the report is followed by its 部门整体表, whose block closes the document
    assert "部门单位名称（公章）：" in report[-1] and "填报时间：" in report[-1]


def test_another_region_keeps_the_national_labels(client, personas, urumqi_overall):
    other = f.RegionFactory(signature_fields=SEED_002)
    assert other.signature_labels == tuple(SEED_002)
    text = pdftools.text(
        _pdf(client, personas.bob, "reports:evaluation_table_pdf", urumqi_overall.pk)
    )
    for label in DEFAULT:
        assert label in text, label


def test_a_report_without_a_table_ends_with_the_signature_block(client, personas, kfq_projects):
    # 相山经济开发区 has projects but no 部门整体 evaluation in 2024: the report stands alone.
    pages = pdftools.pages_text(
        _pdf(client, personas.bob, "reports:department_report_pdf", personas.department_b.pk, 2024)
    )
    assert pages[-1].rstrip().count("填报单位（公章）：") == 1
    assert "".join(pages).count("填报单位（公章）：") == 1


def test_the_finance_administrator_edits_the_labels_one_per_line(client, personas, admin_user):
    region = personas.region
    client.force_login(admin_user)
    url = reverse("admin:projects_region_change", args=[region.pk])
    page = client.get(url).content.decode()
    assert "签章栏" in page and "填报单位（公章）\n单位负责人" in page
    form = {
        "name": region.name,
        "code": region.code,
        "finance_bureau": region.finance_bureau,
        "rule_set_id": region.rule_set_id,
        "table_variant": region.table_variant,
        # the inline of the region's rule sets by year, left empty
        "rule_set_years-TOTAL_FORMS": "0",
        "rule_set_years-INITIAL_FORMS": "0",
    }
    response = client.post(
        url, {**form, "signature_fields": "部门单位名称（公章）\n\n 填报时间 \n"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    region.refresh_from_db()
    assert region.signature_fields == SEED_002

    # a blank block falls back to the national labels rather than printing none
    client.post(url, {**form, "signature_fields": "  \n"})
    region.refresh_from_db()
    assert region.signature_labels == tuple(label.rstrip("：") for label in DEFAULT)
