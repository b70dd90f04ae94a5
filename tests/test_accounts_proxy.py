"""X-Forwarded-Proto is trusted only when BEHIND_PROXY says a proxy sets it: otherwise any client
could make a plain-HTTP request pass for HTTPS (secure cookies, no SSL redirect)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory
request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
print(getattr(settings, "SECURE_PROXY_SSL_HEADER", None), request.is_secure())
"""


def run_probe(**env):
    base = {k: v for k, v in os.environ.items() if k != "BEHIND_PROXY"}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, "SELFEVAL_MODE": "test", "DJANGO_SETTINGS_MODULE": "selfeval.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(**env):
    run = run_probe(**env)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def test_without_a_proxy_the_forwarded_header_is_ignored():
    assert probe() == "None False"


def test_behind_false_ignores_the_forwarded_header():
    assert probe(BEHIND_PROXY="false") == "None False"


def test_behind_a_proxy_the_forwarded_header_marks_https():
    assert probe(BEHIND_PROXY="true") == "('HTTP_X_FORWARDED_PROTO', 'https') True"


@pytest.mark.parametrize("value", ["yes please", "2"])
def test_a_misspelt_value_stops_the_start(value):
    run = run_probe(BEHIND_PROXY=value)
    assert run.returncode != 0
    assert "BEHIND_PROXY" in run.stderr
