"""Sign-in throttling: ten wrong passwords lock the user name for a while, with a Chinese page
(never a 500), other users sign in as before, and an administrator's reset lifts the lock."""

import pytest
from axes.utils import reset
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests import factories as f

PASSWORD = "Zhengque-mima-2024"
LOCKED = "登录失败次数过多，账户已暂时锁定，请 30 分钟后再试或联系财政局管理员解锁"


@pytest.fixture
def users(db):
    return f.UserFactory(username="alice", password=PASSWORD), f.UserFactory(
        username="bob", password=PASSWORD
    )


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


def fail_ten_times(client, username):
    for _ in range(10):
        response = sign_in(client, username, "wrong-password")
    return response


def test_the_right_password_after_ten_wrong_ones_is_refused_with_the_chinese_message(users):
    client = Client()
    for _ in range(9):
        assert sign_in(client, "alice", "wrong-password").status_code == 200
    tenth = sign_in(client, "alice", "wrong-password")
    assert LOCKED in tenth.content.decode()

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_nine_wrong_passwords_do_not_lock(users):
    client = Client()
    for _ in range(9):
        sign_in(client, "alice", "wrong-password")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_another_user_signs_in_from_the_same_address(users):
    fail_ten_times(Client(), "alice")

    client = Client()
    response = sign_in(client, "bob", PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_another_address_does_not_unlock_the_user_name(users):
    fail_ten_times(Client(REMOTE_ADDR="10.0.0.1"), "alice")

    client = Client(REMOTE_ADDR="10.0.0.2")
    response = sign_in(client, "alice", PASSWORD)

    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_reset_by_user_name_lets_the_right_password_in(users):
    fail_ten_times(Client(), "alice")

    reset(username="alice")

    client = Client()
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_reset_command_lets_the_right_password_in(users):
    fail_ten_times(Client(), "alice")

    call_command("axes_reset_username", "alice")

    client = Client()
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off_time(users, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    fail_ten_times(Client(), "alice")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))

    client = Client()
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert signed_in(client)
