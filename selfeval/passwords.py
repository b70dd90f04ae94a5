"""Password rules in Chinese.

Django 5.2 reworded the too-short message and its Simplified Chinese catalogue still carries the
old wording, so the stock validator answers in English; this one says the same thing in Chinese.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class UsernameInPasswordValidator:
    """Refuses a password that contains the user name (``alice12345`` for ``alice``).

    Django's similarity check compares whole strings and lets a name with a few digits after it
    through (a ratio of 0.67 against its limit of 0.7), yet that is the first thing a guesser tries.
    """

    def __init__(self, min_length: int = 3):
        self.min_length = min_length

    def validate(self, password, user=None):
        from django.core.exceptions import ValidationError

        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) >= self.min_length and username in (password or "").lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"
