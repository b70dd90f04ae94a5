"""Changes to accounts are kept in the history; signing in is not a change."""

from django.contrib.auth import get_user_model

from tests import factories as f


def test_signing_in_stamps_the_time_but_adds_no_history(client, db):
    user = f.UserFactory(username="hist_user")
    user.set_password("a-long-password-1")
    user.save()
    before = user.history.count()
    response = client.post("/login/", {"username": "hist_user", "password": "a-long-password-1"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


def test_deactivating_an_account_is_recorded_without_the_password(db):
    user = f.UserFactory(username="hist_user2")
    user.is_active = False
    user.save()
    last = user.history.first()
    assert last.is_active is False and last.history_type == "~"
    kept = {field.name for field in get_user_model().history.model._meta.fields}
    assert "is_active" in kept and "password" not in kept
