"""Settings for the COP Platform, read from COP_* environment variables.

The defaults give a working development site on a local SQLite file. The
variables an operator sets are listed, with their meaning, in README.md.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from cop.env import (
    envaddresses,
    envbool,
    envcount,
    envdatabase,
    envdatadir,
    envint,
    envlist,
    envmailserver,
    envstr,
)
from cop.filter import conf as filter_conf

# Lets generic classes such as ModelForm[Model] be written at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = envdatadir()

# A key that is public (it is in the repository) may only sign sessions on a
# developer's own machine; production refuses to start with it.
DEVELOPMENT_SECRET_KEY = "cop-development-only-key-do-not-use-in-production"  # noqa: S105
DEBUG = envbool("COP_DEBUG", False)
SECRET_KEY = envstr("COP_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "COP_SECRET_KEY is not set. With COP_DEBUG off the platform refuses to start "
        "with the development key: set COP_SECRET_KEY to a long random value "
        "(or COP_DEBUG=true on a development machine)."
    )
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("COP_SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = envlist("COP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("COP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "cop.core",
    "cop.threats",
    "cop.guidance",
    "cop.helplines",
    "cop.reports",
    "cop.outbox",
    "cop.alerts",
    "cop.filter",
    "cop.survey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body; after LocaleMiddleware, so that its refusal is translated.
    # Every error under /api/ in the API's JSON shape, including 404s and 405s made outside its operations.
    "cop.core.errors.ApiErrorShapeMiddleware",
    "cop.core.request_size.RequestSizeMiddleware",
    "cop.core.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cop.core.middleware.SecurityHeadersMiddleware",
    "cop.core.middleware.AuditActorMiddleware",
    # Axes must come last: it inspects the outcome of the login views.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cop.urls"
WSGI_APPLICATION = "cop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cop.core.context_processors.site",
            ],
        },
    },
]

# Database: a SQLite file unless COP_DATABASE_URL names a PostgreSQL server.
DATABASE_URL = envstr("COP_DATABASE_URL", "")
DATABASES = {"default": envdatabase(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. `default` is per process (counts kept for minutes). `rendered` keeps what takes long to
# make and is the same for everyone (tagged PDFs, charts; cop/core/pdf.py, cop/core/charts.py): files
# under the data directory, so that every web worker shares them and they outlive a restart. Its
# keys are digests of the input, so a stale entry is never asked for again. Its size is bounded:
# beyond COP_RENDERED_CACHE_ENTRIES files a third of them are removed (a guideline PDF is a few
# hundred kilobytes). Files are written to a temporary name and renamed, so readers never see half.
RENDERED_CACHE = "rendered"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    RENDERED_CACHE: {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "rendered"),
        "TIMEOUT": 30 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": envcount("COP_RENDERED_CACHE_ENTRIES", 400, minimum=10)},
    },
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:account"
LOGOUT_REDIRECT_URL = "core:home"

# Login lock-out (cop/core/lockout.py): COP_LOGIN_FAILURE_LIMIT failed sign-ins to one account from
# one client address lock that account from that address only, so nobody can lock out someone else:
# another person behind the same address, or the same person from elsewhere, still signs in. The
# lock lifts by itself after a cool-off of COP_LOGIN_COOLOFF_MINUTES, doubled with each further
# lock-out of the same account and address, up to COP_LOGIN_COOLOFF_MAX_MINUTES; a password reset
# lifts every lock of the account at once. An operator lifts them earlier with
# `scripts/cop axes_reset_username NAME` (every address) or `scripts/cop axes_reset_ip_username ADDRESS NAME`.
AXES_FAILURE_LIMIT = envcount("COP_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF = timedelta(minutes=envcount("COP_LOGIN_COOLOFF_MINUTES", 5, minimum=1))
LOGIN_COOLOFF_MAX = timedelta(minutes=envcount("COP_LOGIN_COOLOFF_MAX_MINUTES", 240, minimum=1))
if LOGIN_COOLOFF_MAX < LOGIN_COOLOFF:
    raise ImproperlyConfigured("COP_LOGIN_COOLOFF_MAX_MINUTES must be at least COP_LOGIN_COOLOFF_MINUTES")
if envstr("COP_LOGIN_COOLOFF_HOURS", ""):
    # Refused rather than ignored: an operator who set it must learn that the rule changed.
    raise ImproperlyConfigured(
        "COP_LOGIN_COOLOFF_HOURS is no longer read: set COP_LOGIN_COOLOFF_MINUTES "
        "(first lock-out) and COP_LOGIN_COOLOFF_MAX_MINUTES (the longest) instead."
    )
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "cop.core.lockout.cool_off"
AXES_CLIENT_IP_CALLABLE = "cop.core.lockout.lockout_address"
AXES_USERNAME_CALLABLE = "cop.core.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "cop.core.lockout.lockout_response"
# Each failure expires on its own schedule: without this, one person's failed sign-in would clear
# everyone's failures older than *their* cool-off, cutting short a longer lock of someone else.
AXES_USE_ATTEMPT_EXPIRATION = True
# Tries during a lock do not extend it, so "try again in 5 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Languages: the six official languages of the United Nations.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reviewed guidance texts, the threat classification and the starter library.
CONTENT_DIR = Path(envstr("COP_CONTENT_DIR", str(BASE_DIR / "content")))
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("COP_TIME_ZONE", "UTC")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"COP_TIME_ZONE {TIME_ZONE!r} is not a known time zone")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Files members attach to library resources; served only through the library's own view.
MEDIA_ROOT = DATA_DIR / "media"
# Files chosen in a form that failed for another field, kept for a day so they need not be chosen again.
KEPT_UPLOADS_DIR = DATA_DIR / "kept-uploads"
# Reports. Keys (Fernet, comma-separated, newest first) encrypt reporters' contact details; without
# them a key derived from the secret key is used. `cop rotate_report_keys` re-encrypts with the first.
REPORT_KEYS = envlist("COP_REPORT_KEYS", [])
REPORT_RATE_LIMIT = envint("COP_REPORT_RATE_LIMIT", 20)  # reports per address per window
REPORT_RATE_WINDOW_MINUTES = envint("COP_REPORT_RATE_WINDOW_MINUTES", 10)
REPORT_RETENTION_DAYS = envint("COP_REPORT_RETENTION_DAYS", 365)  # after a case is closed
# Every published statistic (reports, the family filter's indicators, any to come): a count below this
# is withheld, with whatever would let it be worked out (cop/core/disclosure.py). At least 2.
# COP_REPORT_STATS_MIN_COUNT is its former name, still read.
STATS_MIN_COUNT = envcount(
    "COP_STATS_MIN_COUNT", envcount("COP_REPORT_STATS_MIN_COUNT", 5, minimum=2), minimum=2
)
LIBRARY_MAX_UPLOAD_MB = envint("COP_LIBRARY_MAX_UPLOAD_MB", 20)
# Background work (webhook deliveries) done by `cop run_worker` from the database outbox.
OUTBOX_MAX_ATTEMPTS = envint("COP_OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_BACKOFF_SECONDS = envint("COP_OUTBOX_BACKOFF_SECONDS", 30)
OUTBOX_BACKOFF_MAX_SECONDS = envint("COP_OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600)
# Jobs one worker runs at once, and how long a claim on a job lasts unless renewed (every third of it).
OUTBOX_CONCURRENCY = envcount("COP_OUTBOX_CONCURRENCY", 4, 1)
OUTBOX_LEASE_SECONDS = envcount("COP_OUTBOX_LEASE_SECONDS", 30, 1)
ALERTS_WEBHOOK_TIMEOUT_SECONDS = envint("COP_WEBHOOK_TIMEOUT_SECONDS", 10)
# Webhooks to 127.0.0.1 are for development only: in production they could reach internal services.
ALERTS_WEBHOOK_ALLOW_LOOPBACK = envbool("COP_WEBHOOK_ALLOW_LOOPBACK", DEBUG)
# Downloads from the Internet (block lists) go through cop.core.fetch, which refuses this machine and
# private networks; this machine (127.0.0.1, ::1, localhost) is allowed in development and tests only.
FETCH_ALLOW_LOOPBACK = envbool("COP_FETCH_ALLOW_LOOPBACK", DEBUG)
if not LIBRARY_MAX_UPLOAD_MB or LIBRARY_MAX_UPLOAD_MB < 1:
    raise ImproperlyConfigured("COP_LIBRARY_MAX_UPLOAD_MB must be a whole number of megabytes, at least 1")
# The largest request body read at all (cop/core/request_size.py); block-list uploads have their own.
REQUEST_MAX_MB = envint("COP_REQUEST_MAX_MB", LIBRARY_MAX_UPLOAD_MB + 1)
if not REQUEST_MAX_MB or REQUEST_MAX_MB <= LIBRARY_MAX_UPLOAD_MB:
    raise ImproperlyConfigured(
        "COP_REQUEST_MAX_MB must be a whole number of megabytes larger than COP_LIBRARY_MAX_UPLOAD_MB"
    )
REQUEST_MAX_BYTES = REQUEST_MAX_MB * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serving straight from the apps' static folders keeps `collectstatic`
# optional for a single-machine install.
WHITENOISE_USE_FINDERS = True

# E-mail (password resets): one URL (COP_EMAIL_URL=smtp+tls://user:password@host:587) or the
# separate COP_EMAIL_* variables; printed to the console until a server is configured (development).
# The tests replace the backend with Django's in-memory outbox.
MAIL_SERVER = envmailserver()
EMAIL_BACKEND = MAIL_SERVER.backend
EMAIL_HOST = MAIL_SERVER.host
EMAIL_PORT = MAIL_SERVER.port
EMAIL_HOST_USER = MAIL_SERVER.user
EMAIL_HOST_PASSWORD = MAIL_SERVER.password
EMAIL_USE_TLS = MAIL_SERVER.use_tls
EMAIL_USE_SSL = MAIL_SERVER.use_ssl
# A reset mail is sent while the person waits: a mail server that does not answer must not hold
# the web worker for long (Django logs the failure; the page reads the same either way).
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("COP_DEFAULT_FROM_EMAIL", "cop-platform@localhost")

# Security: strict by default outside development.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# COP_HTTPS (on unless debugging) turns on everything that assumes the site
# is served over TLS: secure cookies, the redirect to https and HSTS.
HTTPS = envbool("COP_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = (envint("COP_HSTS_SECONDS", 31_536_000) or 0) if HTTPS else 0
# Behind one TLS proxy, which sets X-Forwarded-Proto and appends the client's address to
# X-Forwarded-For: both are then trusted (cop.core.middleware.client_ip reads the address).
BEHIND_TLS_PROXY = envbool("COP_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("COP_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of every PDF at INFO; its warnings still show.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

SITE_NAME = "COP Platform"
# The public address of the site, for links in e-mails sent without a request (notifications).
SITE_URL = envstr("COP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Family filter (cop/filter). What the resolver reads (COP_FILTER_LISTEN, _WORKERS, _UPSTREAMS,
# _BLOCK_TTL, _CACHE_ENTRIES, _ANSWER_CACHE_ENTRIES, _DOH_LISTEN, _DOMAIN, _DOT_LISTEN,
# _DOH_TLS_LISTEN, _TLS_CERT, _TLS_KEY, _STATS_FLUSH_SECONDS, _RRL_*) is read, with its default and
# check, by cop/filter/conf.py, which `cop run_filter` uses without Django.
_RESOLVER = filter_conf.read(DATA_DIR)
FILTER_DATA_DIR = _RESOLVER.data_dir
FILTER_LISTEN = _RESOLVER.listen
FILTER_UPSTREAMS = _RESOLVER.upstreams
FILTER_WORKERS = _RESOLVER.workers
FILTER_BLOCK_TTL = _RESOLVER.block_ttl
FILTER_CACHE_ENTRIES = _RESOLVER.cache_entries
FILTER_ANSWER_CACHE_ENTRIES = _RESOLVER.answer_entries
# Categories blocked for clients that no device binds to a profile (the illegal list always is).
FILTER_DEFAULT_CATEGORIES = envlist("COP_FILTER_DEFAULT_CATEGORIES", [])
# Where children's devices send DNS over HTTPS; the device token is appended as the last path part.
FILTER_DOH_URL = envstr("COP_FILTER_DOH_URL", "")
FILTER_DOH_LISTEN = _RESOLVER.doh_listen
FILTER_DOMAIN = _RESOLVER.domain
FILTER_DOT_LISTEN = _RESOLVER.dot_listen
FILTER_DOH_TLS_LISTEN = _RESOLVER.doh_tls_listen
FILTER_TLS_CERT = _RESOLVER.tls_cert
FILTER_TLS_KEY = _RESOLVER.tls_key
# The resolver's addresses for plain DNS that routers and computers can reach (shown to parents);
# when empty, the addresses of COP_FILTER_LISTEN on port 53 that are neither loopback nor wildcard.
FILTER_PUBLIC_ADDRESSES = envaddresses("COP_FILTER_PUBLIC_ADDRESSES")
FILTER_REPORT_RETENTION_DAYS = envcount("COP_FILTER_REPORT_RETENTION_DAYS", 90, minimum=1)
FILTER_QUERY_LOG_MAX_HOURS = envcount("COP_FILTER_QUERY_LOG_MAX_HOURS", 24, minimum=1)
FILTER_STATS_FLUSH_SECONDS = _RESOLVER.stats_flush_seconds
# A block list's download must finish within this many seconds, redirects included.
FILTER_DOWNLOAD_SECONDS = envcount("COP_FILTER_DOWNLOAD_SECONDS", 900, minimum=1)
# The widest network a family's or school's guardian may bind around the address they are using
# (cop/filter/README.md, "Who may bind which addresses"): /24 for IPv4, /56 for IPv6.
FILTER_BIND_WIDEST_IPV4 = envcount("COP_FILTER_BIND_WIDEST_IPV4", 24, minimum=8)
FILTER_BIND_WIDEST_IPV6 = envcount("COP_FILTER_BIND_WIDEST_IPV6", 56, minimum=16)
FILTER_RRL_RESPONSES_PER_SECOND = _RESOLVER.rrl_per_second
FILTER_RRL_SLIP = _RESOLVER.rrl_slip
FILTER_RRL_IPV4_PREFIX = _RESOLVER.rrl_ipv4_prefix
FILTER_RRL_IPV6_PREFIX = _RESOLVER.rrl_ipv6_prefix
