"""Django settings, read from the environment so one wheel serves a laptop and a server.

DATABASE_URL   default: SQLite file in $PLANWATCH_HOME (./planwatch-data/planwatch.sqlite3)
SECRET_KEY     default: generated once and kept in $PLANWATCH_HOME/secret_key
DEBUG          "1"/"true" to enable (default off)
ALLOWED_HOSTS  comma-separated (default: localhost names)

Production hardening (HTTPS redirect, secure cookies, HSTS) is on whenever DEBUG is off and
the site answers to a real host name, i.e. ALLOWED_HOSTS names anything besides the loopback
names. A local install that only answers on 127.0.0.1/localhost (the demo) runs over plain
http. Overrides:
PLANWATCH_INSECURE_HTTP=1   never harden (a trusted local network without TLS)
PLANWATCH_SECURE=1          harden even on localhost (e.g. behind a local TLS proxy)
PLANWATCH_BEHIND_PROXY=1    trust X-Forwarded-Proto: https from the reverse proxy
PLANWATCH_HSTS_SECONDS      HSTS max-age (default one year)
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from planwatch.home import home, secret_key

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = secret_key()
DEBUG = _flag("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_htmx",
    "planwatch.plans",
    "planwatch.data",
    "planwatch.web",
    "planwatch.accounts",
    "planwatch.api",
    "planwatch.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "planwatch.web.middleware.ChosenLanguageMiddleware",  # Chinese unless the user chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, as django-axes asks: turns a locked-out login attempt into HTTP 429
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "planwatch.urls"
WSGI_APPLICATION = "planwatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{home() / 'planwatch.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"].endswith("sqlite3"):
        # WAL lets the dashboard read while an import writes; the timeout rides out short locks.
        config.setdefault("OPTIONS", {}).update(
            {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
        )
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", home() / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing root on every start
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# -- login throttling (django-axes) ----------------------------------------------------------
# Five wrong passwords for one account from one address lock that pair out for an hour; a
# successful login resets the count.  Locked-out attempts answer HTTP 429.
AUTHENTICATION_BACKENDS = [
    "planwatch.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PLANWATCH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# -- sessions, cookies, transport --------------------------------------------------------------
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
_public_host = any(h not in _LOOPBACK for h in ALLOWED_HOSTS)
HARDENED = _flag("PLANWATCH_SECURE") or (not DEBUG and _public_host and not _flag("PLANWATCH_INSECURE_HTTP"))
if HARDENED:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("PLANWATCH_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if _flag("PLANWATCH_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

# -- uploads -----------------------------------------------------------------------------------
# Request bodies held in memory, and files spooled to memory, are capped; larger uploads go to
# a temporary file and are then checked against PLANWATCH_MAX_UPLOAD_BYTES and the allowed
# formats by planwatch.accounts.safety.check_upload.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
PLANWATCH_MAX_UPLOAD_BYTES = int(os.environ.get("PLANWATCH_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
FILE_UPLOAD_PERMISSIONS = 0o600
