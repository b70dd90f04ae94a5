"""The one settings module; every deployment difference comes from the environment (.env.example)."""

import json
from datetime import timedelta
from pathlib import Path

import environ

from selfeval.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# demo and test modes may run without a configured secret; production may not.
MODE = env_str("SELFEVAL_MODE", "production")
if MODE not in {"production", "demo", "test"}:
    raise environ.ImproperlyConfigured("SELFEVAL_MODE 只能是 production、demo 或 test")
_LOCAL_MODE = MODE in {"demo", "test"}

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "insecure-demo-key-not-for-production" if _LOCAL_MODE else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if _LOCAL_MODE else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "simple_history",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "selfeval",
    "projects",
    "scoring",
    "reports",
]

MIDDLEWARE = [
    # First, so that it sees every layer's answer: a busy database answers 503, never 500.
    "selfeval.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Observers (人大, 审计) read only: any write of theirs is a 403 before the view.
    "selfeval.observers.ObserverReadOnlyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the Chinese lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp 4). Every asset, Bootstrap and htmx included, is served by
# the app, so scripts come from 'self' only and no page carries inline script or on*= handlers:
# an injected <script> or attribute cannot run. Styles allow 'unsafe-inline' because a few pages
# set style="width: …" (the export progress bar's width is computed per job) and htmx adds its
# indicator <style>; inline CSS cannot run code. data: images are Bootstrap's SVG form icons.
# The downloaded standalone HTML inlines its CSS, but it is an attachment opened from disk,
# where no header applies.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "selfeval.urls"
WSGI_APPLICATION = "selfeval.wsgi.application"
ASGI_APPLICATION = "selfeval.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfeval.context_processors.roles",
            ],
        },
    }
]

_env = environ.Env()
DATABASES = {
    "default": _env.db_url_config(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'selfeval.sqlite3'}")
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout keep the embedded database usable by the web process and a worker;
    # the backend queues the process's writers in arrival order (selfeval/sqlite/base.py), so a
    # save waits its turn instead of losing SQLite's unordered polling under threaded load.
    DATABASES["default"]["ENGINE"] = "selfeval.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "queue_timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis_url = env_str("REDIS_URL", "")
if _redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
elif MODE == "production":
    # One server without Redis: its app processes still share one cache (the public CSV built
    # once, not once per process; one count of each user's renders), in files under var/.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(VAR_DIR / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": env_str(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if MODE == "test"
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# Drafts are rendered on demand (final documents are stored by a task): at most this many at once
# per user, each slot freed after a render or, if its process died, after the timeout (seconds).
DOCUMENT_RENDER_LIMIT = env_int("DOCUMENT_RENDER_LIMIT", 2)
# Requests one API client may make, as django-ninja reads a rate ("120/m"); counted in the cache.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "120/m")
DOCUMENT_RENDER_TIMEOUT = 300
# The public verification page (/public/verify/): lookups allowed per client address in a window
# (seconds), counted in the shared cache; and the largest file it hashes (bytes). A code has 60
# random bits, so the limit only keeps a script from hammering the page, not a guesser from luck.
SIGNOFF_VERIFY_LIMIT = env_int("SIGNOFF_VERIFY_LIMIT", 30)
SIGNOFF_VERIFY_WINDOW = 600
SIGNOFF_UPLOAD_MAX_BYTES = env_int("SIGNOFF_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)

# Passwords set through forms (admin, password change): at least 10 characters, not close to the
# user's name, not a common one, not digits only. Django's own messages are in Chinese except the
# too-short one (selfeval/passwords.py). load_demo sets the demo password `demo2024!` (9
# characters) with set_password, which applies no validators; the demo accounts keep it.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "selfeval.passwords.UsernameInPasswordValidator"},
    {"NAME": "selfeval.passwords.ChineseMinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if MODE == "test":
    # Hashing is deliberately slow; tests log in hundreds of personas and need no protection.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Sign-in throttling (django-axes, failures stored in the database so every app process and
# server counts the same ones). The lock is by user name only, not by address: the units and the
# finance bureau reach the server from a few shared office gateways (and, behind a proxy, from
# the proxy's address), so locking an address would lock out a whole office for one person's
# typing. Someone guessing one account's password is stopped all the same; the price is that
# anyone can lock a known user name for the cool-off time, which an administrator lifts early
# with `manage.py axes_reset_username NAME` (or in /admin/).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns whenever the address is not among the parameters (W006: a lock by browser or cookie
# is dodged by changing them). A lock by user name is not: it holds whatever the address, browser
# or cookie, so the warning does not apply here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# A successful sign-in forgets earlier slips, so typos over weeks never add up to a lock.
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # no banner on every manage.py command
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Demo and test serve files straight from the app folders; production from collectstatic.
WHITENOISE_AUTOREFRESH = _LOCAL_MODE
WHITENOISE_USE_FINDERS = _LOCAL_MODE
# Uploaded files, stored documents and exports. One app server: the file system (MEDIA_ROOT).
# More than one: an S3-compatible object store shared by all of them, through django-storages
# (docs/operations.md): FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage and its options as
# JSON in FILE_STORAGE_OPTIONS ({"bucket_name": …, "endpoint_url": …}).
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("FILE_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and MODE == "production"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# 佐证材料 (evidence files): the largest file in MB, and the accepted kinds (checked by extension
# and by the file's first bytes; see projects/evidence/checks.py for the kinds known).
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 20)
EVIDENCE_TYPES = tuple(
    t.strip().lower()
    for t in env_str("EVIDENCE_TYPES", "pdf,jpg,jpeg,png,docx,xlsx,ofd").split(",")
    if t.strip()
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "selfeval@localhost")

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", MODE == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Trust X-Forwarded-Proto only when a reverse proxy that sets it (and strips it from clients)
# stands in front: without one, any client could claim HTTPS with the header.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SELFEVAL_DEFAULT_RULESET = env_str("SELFEVAL_DEFAULT_RULESET", "national-2020")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
