"""Who may download a 佐证材料 file: everyone who may read the self-evaluation, nobody else.

The persona matrix: the unit's filer, the department's reviewer, the region's finance bureau and
the observers of the region or the department (read-only, as everywhere: test_observer.py) get
the bytes; a filer of another unit, another department's reviewer or observer and another
region's finance bureau get a 404, as if the file did not exist; anonymous users go to sign in.
"""

import hashlib
from urllib.parse import quote

import pytest
from django.urls import reverse

from projects.models import EvaluationStatus, EvidenceFile, Membership
from tests import factories as f
from tests.projects.evidence_support import PDF, make_world, upload
from tests.projects.test_review_support import (
    fast_password_hashing,  # noqa: F401  (autouse)
    put_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


def _user(world, who):
    p = world.personas
    if who == "carol":
        return world.carol
    if who in ("alice", "bob", "dora", "frank"):
        return getattr(p, who)
    if who == "zed":
        return p.other_region_finance
    user = f.UserFactory(username=who)
    role = {
        "dave": (Membership.Role.DEPARTMENT_REVIEWER, {"department": p.department_b}),
        "rita": (Membership.Role.OBSERVER, {"region": p.region}),
        "olga": (Membership.Role.OBSERVER, {"department": p.department_a}),
        "otto": (Membership.Role.OBSERVER, {"department": p.department_b}),
    }[who]
    f.membership(user, role[0], **role[1])
    return user


ALLOWED = ["carol", "dora", "frank", "rita", "olga"]
# alice files for department A's own unit, not for carol's subordinate unit.
REFUSED = ["alice", "bob", "dave", "otto", "zed"]


@pytest.mark.parametrize("who", ALLOWED)
@pytest.mark.parametrize("status", [EvaluationStatus.DRAFT, EvaluationStatus.APPROVED])
def test_readers_of_the_evaluation_download_the_file_under_its_own_name(client, world, who, status):
    row = world.attach(name="项目验收报告 2023.pdf")
    put_in(world.evaluation, status)
    client.force_login(_user(world, who))
    response = client.get(reverse("projects:evidence_download", args=[row.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == PDF and hashlib.sha256(body).hexdigest() == row.sha256
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('项目验收报告 2023.pdf')}" in disposition
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("who", REFUSED)
def test_people_outside_the_evaluation_get_404(client, world, who):
    row = world.attach()
    client.force_login(_user(world, who))
    response = client.get(reverse("projects:evidence_download", args=[row.pk]))
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_anonymous_users_are_sent_to_sign_in(client, world):
    row = world.attach()
    response = client.get(reverse("projects:evidence_download", args=[row.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_stored_name_is_random_and_not_under_a_public_url(world, settings):
    row = world.attach(name="验收报告.pdf")
    assert "验收报告" not in row.file.name and row.file.name.startswith("evidence/")
    assert len(row.file.name.rsplit("/", 1)[-1]) == len("0" * 32 + ".pdf")
    # nothing routes MEDIA_URL: the file is reachable through the gated view only
    from django.test import Client

    assert Client().get(settings.MEDIA_URL + row.file.name).status_code == 404


@pytest.mark.parametrize("who", REFUSED + ["dora", "frank", "rita"])
def test_only_the_units_filer_may_attach_or_remove(client, world, who):
    row = world.attach()
    client.force_login(_user(world, who))
    url = reverse("projects:evaluation_attach", args=[world.evaluation.pk])
    response = client.post(url, {"file": upload("别人的.pdf", PDF)})
    assert response.status_code in (403, 404)
    response = client.post(reverse("projects:evidence_remove", args=[row.pk]))
    assert response.status_code in (403, 404)
    assert list(EvidenceFile.objects.values_list("pk", flat=True)) == [row.pk]
