"""The settings module: production refuses to start without a secret, and is deploy-clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, **env):
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("SELFEVAL_", "SECRET_", "DJANGO_"))
    }
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_fails_loudly():
    run = _manage("check", SELFEVAL_MODE="production")
    assert run.returncode != 0
    assert "SECRET_KEY" in run.stderr


def test_production_settings_pass_check_deploy():
    run = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SELFEVAL_MODE="production",
        SECRET_KEY="x" * 20 + "-long-and-random-production-secret-1234567890",
        ALLOWED_HOSTS="selfeval.example.gov.cn",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert run.returncode == 0, run.stderr
    assert "no issues" in run.stdout
