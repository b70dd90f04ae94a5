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
