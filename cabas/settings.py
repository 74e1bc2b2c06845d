"""Cabas settings: one file, driven by environment variables.

Every variable is documented in `.env.example`. The defaults give a safe
production posture (DEBUG off, secure cookies); `CABAS_DEBUG=1` turns on the
developer conveniences used by `bin/demo` and the tests.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("CABAS_DEBUG")

SECRET_KEY = os.environ.get("CABAS_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("CABAS_SECRET_KEY must be set when CABAS_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("CABAS_ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CABAS_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "ninja",  # the API docs page's files, served locally (no CDN under our CSP)
    "django_tasks_db",
    "cabas.lib",
    "cabas.accounts",
    "cabas.catalog",
    "cabas.cycles",
    "cabas.ledger",
    "cabas.audit",
    "cabas.distribution",
    "cabas.bank",
    "cabas.shifts",
    "cabas.reports",
    "cabas.settlement",
    "cabas.books",
    "cabas.solidarity",
    "cabas.announcements",
    "cabas.api",
    "cabas.imports",
    "cabas.demo",
    "cabas.ops",
    "cabas.privacy",
]

MIDDLEWARE = [
    "cabas.ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cabas.accounts.middleware.UserLanguageMiddleware",
    "cabas.accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

if not DEBUG:
    # In production gunicorn serves the collected static files through WhiteNoise;
    # in development runserver serves them from the apps.
    MIDDLEWARE.insert(3, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cabas.urls"
WSGI_APPLICATION = "cabas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cabas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["django.templatetags.i18n", "cabas.lib.templatetags.cabas"],
        },
    }
]

# --- Database -----------------------------------------------------------------
# SQLite by default (zero set-up); PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CABAS_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue (busy timeout) instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not memory: concurrency tests need real locking across threads.
    # One file per test process, so two runs at once never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"cabas-test-{os.getpid()}.sqlite3")
    }
else:
    # One test database per test process here too: two runs at once never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache (shared: allauth's login throttling counts in it) -------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The database cache is shared by every process of one installation
    # (gunicorn workers, task worker), unlike the per-process memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cabas_cache",
        }
    }

# --- Background tasks ------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CABAS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Authentication --------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cabas.accounts.forms.SignupForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "cabas.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Cabas] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Behind the TLS proxy, login throttling must count each person's address, not the
# proxy's: allauth reads it from X-Forwarded-For, trusting that many proxies.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("CABAS_TRUSTED_PROXY_COUNT", "0" if DEBUG else "1"))
# The API's rate limit per address (public endpoints) trusts the same proxies, no more.
NINJA_NUM_PROXIES = ALLAUTH_TRUSTED_PROXY_COUNT

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "cabas" / "locale"]
TIME_ZONE = os.environ.get("CABAS_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "cabas" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("CABAS_MEDIA_ROOT", BASE_DIR / "media"))

# Saving a whole basket without JavaScript posts three fields per product of the cycle:
# a group with 450 products goes past Django's default of 1,000 (answered 400).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail ------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("CABAS_FROM_EMAIL", "Cabas <no-reply@cabas.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("CABAS_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["CABAS_EMAIL_HOST"],
                "port": int(os.environ.get("CABAS_EMAIL_PORT", "587")),
                "username": os.environ.get("CABAS_EMAIL_USER", ""),
                "password": os.environ.get("CABAS_EMAIL_PASSWORD", ""),
                "use_tls": env_bool("CABAS_EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    # Without an SMTP server, e-mails (login codes included) print to the console: readable
    # in development; Django's own console backend otherwise, which `check --deploy` refuses.
    _console = (
        "cabas.lib.console_mail.EmailBackend" if DEBUG else "django.core.mail.backends.console.EmailBackend"
    )
    MAILERS = {"default": {"BACKEND": _console}}

# --- Security ------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("CABAS_SSL_REDIRECT", True)
    # The proxy and monitoring ask app servers directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("CABAS_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("CABAS_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # __Host- cookies are only accepted by browsers over HTTPS, on path /, with no
    # Domain attribute: they cannot be planted by a sibling subdomain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"

# Every line carries the request id; CABAS_LOG_FORMAT=json writes one JSON object a line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "cabas.ops.logs.RequestIdFilter"},
        "refusal": {"()": "cabas.ops.logs.RefusalFilter"},
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "cabas.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "refusal"],
            "formatter": "json" if os.environ.get("CABAS_LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CABAS_LOG_LEVEL", "INFO")},
    # Django's own console handler (in DEBUG) would print each line a second time: the root's serves.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Error reports to Sentry (or a compatible service such as GlitchTip) when a DSN is set.
if os.environ.get("CABAS_SENTRY_DSN"):
    from cabas.ops.errors import start_sentry

    start_sentry(
        os.environ["CABAS_SENTRY_DSN"], environment=os.environ.get("CABAS_SENTRY_ENVIRONMENT", "production")
    )

# Members per page on coordinators' lists.
CABAS_PAGE_SIZE = 50
# Requests a minute each API token may make (each address, on the public endpoints).
CABAS_API_RATE_PER_MINUTE = int(os.environ.get("CABAS_API_RATE_PER_MINUTE", "120"))

# Public address of this installation, used in e-mails.
CABAS_SITE_URL = os.environ.get("CABAS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How the service is named in e-mails and page titles.
CABAS_SITE_NAME = os.environ.get("CABAS_SITE_NAME", "Cabas")

# Retention of inactive accounts (README, « Personal data »). 0 (the default) keeps accounts
# forever. Otherwise an account without activity (login, basket change, new membership) for
# this many days is warned by e-mail, then anonymised CABAS_RETENTION_GRACE_DAYS later if
# still unused; its money history stays, under « Former member ».
CABAS_RETENTION_DAYS = int(os.environ.get("CABAS_RETENTION_DAYS", "0"))
CABAS_RETENTION_GRACE_DAYS = int(os.environ.get("CABAS_RETENTION_GRACE_DAYS", "30"))
