"""Every workbook the app writes uploads back unchanged: the filer downloads, uploads the same
bytes, and the preview says nothing changes (未作任何修改) and nothing is written."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Evaluation

UPLOAD = reverse("projects:upload")


def _preview_of_the_downloaded_table(client, user, evaluation, **params) -> str:
    client.force_login(user)
    url = reverse("reports:evaluation_table_xlsx", args=[evaluation.pk])
    data = client.get(url, params).content
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("自评表.xlsx", data), "purpose": "actuals"}
    )
    return response.content.decode()


def test_the_department_overall_workbook_uploads_back_unchanged(client, personas, urumqi_overall):
    html = _preview_of_the_downloaded_table(client, personas.bob, urumqi_overall)
    assert "未作任何修改" in html, html[html.find("<main") :][:3000]
    assert Evaluation.objects.get(pk=urumqi_overall.pk).version == urumqi_overall.version


def test_probe(client, personas, urumqi_overall):
    client.force_login(personas.bob)
    import re
    for url in (
        reverse("reports:evaluation_report_xlsx", args=[urumqi_overall.pk]),
        reverse("reports:department_report_xlsx", args=[personas.department_b.pk, 2023]),
        reverse("reports:department_package_xlsx", args=[personas.department_b.pk, 2023]),
        reverse("reports:evaluation_table_xlsx", args=[urumqi_overall.pk]) + "?money_unit=元",
    ):
        r = client.get(url)
        print(url, r.status_code)
        if r.status_code != 200:
            continue
        resp = client.post(UPLOAD, {"file": SimpleUploadedFile("a.xlsx", r.content), "purpose": "actuals"})
        html = resp.content.decode()
        print(resp.status_code, "未作任何修改" in html, re.findall(r"<td>[^<]*</td><td class=\"num\">\d+</td><td>[A-Z]*</td><td>[^<]*</td>", html)[:5])
    assert 0
