"""The declaration form in Chromium: a finding appears while typing, the library suggests a row
and adds it, a past indicator fills a row, and nothing is refused by the page's policy."""

from playwright.sync_api import expect

from projects.models import Indicator, LibraryIndicator
from tests import factories as f
from tests.e2e.conftest import login, watch_csp
from tests.projects.targets.conftest import declaration_world as _declaration_world  # noqa: F401

PASSWORD = "pass-12345"


def test_a_declarer_sees_findings_while_typing_and_takes_suggestions(
    transactional_db,
    live_server,
    page,
    _declaration_world,  # noqa: F811  (the fixture imported above)
    screenshot,
):
    w = _declaration_world
    LibraryIndicator.objects.create(
        region=w["p"].region, function="一般公共服务", level1="产出指标", level2="时效指标",
        name="按时办结率", unit_of_measure="%", suggested_target="≥95%",
    )  # fmt: skip
    old = f.ProjectFactory(unit=w["unit"], year=2024, name="政务服务运行经费")
    f.IndicatorFactory(project=old, level2="数量指标", name="网上办件量", target="≥5000件")
    refused = watch_csp(page)
    login(page, live_server, "carol", PASSWORD)
    page.goto(f"{live_server.url}/targets/declaration/{w['declaration'].pk}/")
    expect(page.locator("#weight-total")).to_contain_text("90")

    page.get_by_label("办理事项 分值").fill("5")
    expect(page.locator("#weight-total")).to_contain_text("65")
    expect(page.locator("#findings")).to_contain_text("要求合计")
    page.get_by_label("办理事项 分值").fill("30")
    expect(page.locator("#findings")).not_to_contain_text("要求合计")

    page.locator(f"#row-{w['count'].pk} .suggest-button").click()
    expect(page.locator("#suggest-history")).to_contain_text("网上办件量")
    page.locator("#suggest-history .fill-row").first.click()
    expect(page.get_by_label("三级指标").first).to_have_value("网上办件量")

    page.locator("#add-level").select_option("产出指标|时效指标")
    page.locator("#add-name").fill("办结")
    expect(page.locator("#suggest-library")).to_contain_text("按时办结率")
    screenshot("suggestions")
    page.locator("#suggest-library button:has-text('按此新增')").click()
    expect(page.locator("body")).to_contain_text("已新增指标“按时办结率”")
    row = Indicator.objects.get(project=w["project"], name="按时办结率")
    assert row.target == "≥95%"
    assert Indicator.objects.get(pk=w["count"].pk).name == "网上办件量"  # saved with the add
    screenshot("added")
    assert refused == []
