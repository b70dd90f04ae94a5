"""Password rules: a password close to the user name, digits only, or shorter than 10
characters is refused, in Chinese; a long unrelated one is accepted."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils import translation

from projects.demo import DEMO_PASSWORD


@pytest.fixture
def filer():
    return get_user_model()(username="xs_gov_filer")


def refusal(password, user=None):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return " ".join(caught.value.messages)


def test_a_password_like_the_user_name_is_refused(filer):
    assert "密码跟 用户名 太相似了" in refusal("xs_gov_filer1", filer)


def test_a_digits_only_password_is_refused():
    message = refusal("20242024")
    assert "密码只包含数字" in message
    assert "至少需要 10 个字符" in message


def test_a_short_password_is_refused_in_chinese():
    message = refusal("2024demo")
    assert message == "密码太短，至少需要 10 个字符。"


def test_a_long_unrelated_password_is_accepted(filer):
    validate_password("Xiangshan-jixiao-2024", filer)


def test_the_demo_password_would_no_longer_pass(filer):
    """load_demo sets it with set_password, which checks nothing; a form would refuse it."""
    assert "至少需要 10 个字符" in refusal(DEMO_PASSWORD, filer)


def test_the_help_texts_are_in_chinese():
    with translation.override("zh-hans"):
        texts = " ".join(password_validators_help_texts())
    assert "密码至少需要 10 个字符" in texts
    assert "不能全都是数字" in texts
    assert "character" not in texts


def test_a_password_that_holds_the_user_name_is_refused():
    alice = get_user_model()(username="alice")
    assert "密码不能包含用户名" in refusal("alice12345", alice)
    assert "密码不能包含用户名" in refusal("My-ALICE-2024!", alice)
    validate_password("春天-相山-2024-绩效", alice)  # unrelated to the name: accepted
