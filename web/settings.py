"""bpflab settings: everything comes from the environment, with defaults that work on a laptop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from web import broker
from web.env import email_settings, envbool, envchoice, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("BPFLAB_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "true")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: "
            "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "labs",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "web.errors.FriendlyNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "web.urls"
ASGI_APPLICATION = "web.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bpflab.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web server write to the same file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory: the integration tests' worker and web server processes share it.
    # One per test process, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-bpflab-{os.getpid()}.sqlite3")}
else:
    # As with SQLite, one test database per test process: several runs share one server.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Email, for password resets: EMAIL_URL (smtp://, smtps://, console://, file://). While
# DEBUG is on and none is set, each mail is printed to the web server's log instead.
EMAIL_URL = os.getenv("EMAIL_URL", "console://" if DEBUG else "").strip()
MAIL_CONFIGURED = bool(EMAIL_URL)
if EMAIL_URL:
    globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.getenv("EMAIL_FROM", "bpflab <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600))

LANGUAGE_CODE = "en"
# The language switch outlives the browser session; a signed-in account also keeps it.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "web" / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "web" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

REDIS_URL = os.getenv("REDIS_URL", "redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout by default, the same length as the
        # channel layer's blocking pop: an idle websocket then died every 5 s. Give reads room.
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
            "capacity": 1500,
            "expiry": 60,
        },
    }
}

CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The database holds the work; a task message only wakes a worker up (labs/queue.py). A
# message is acknowledged after its task ran (a worker holds no more wake-ups than it has
# free processes) and put back when the process running it dies. One held by a worker
# that died whole is gone with it: the sweeper sends another (web/broker.py).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_IGNORE_RESULT = True
# Nothing waits for a dead Redis long: one try to connect (the sweeper sends the wake-up
# later). The worker's own consumer keeps reconnecting by its own rules.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A worker that lost Redis tries again every 2 s at most (web/broker.py), and never gives up.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# kombu's Redis transport without its ack emulation: see web/broker.py for why.
CELERY_BROKER_TRANSPORT = broker.transport_for(CELERY_BROKER_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "max_retries": 0,
}
CELERY_TASK_ALWAYS_EAGER = False
# Runs go to this queue. A test process gets one of its own (as it gets its own database),
# so a site or another test run on the same Redis never takes its runs, nor it theirs.
RUNNING_TESTS = "pytest" in sys.modules
CELERY_TASK_DEFAULT_QUEUE = os.getenv("CELERY_QUEUE") or (
    f"bpflab-test-{os.getpid()}" if RUNNING_TESTS else "bpflab"
)

SANDBOX_BACKEND = envchoice("SANDBOX_BACKEND", "local", ("local", "microvm", "docker"))
# The local backend loads learners' programs into the host kernel, as root: a site out of
# development mode refuses it unless its operator says so.
ALLOW_LOCAL_BACKEND = envbool("ALLOW_LOCAL_BACKEND", "false")
if not DEBUG and SANDBOX_BACKEND == "local" and not ALLOW_LOCAL_BACKEND:
    raise ImproperlyConfigured(
        "SANDBOX_BACKEND=local runs learners' code in the host kernel as root; with DEBUG off "
        "use SANDBOX_BACKEND=microvm (or docker), or set ALLOW_LOCAL_BACKEND=true if this "
        "site is yours alone"
    )
# The microVM kernels a site offers (names of sandbox/kernels.lock, e.g. "6.1,6.12");
# empty: every kernel whose image built. The default one runs when nobody chose.
SANDBOX_KERNELS = envlist("BPFLAB_KERNELS", "")
SANDBOX_DEFAULT_KERNEL = os.getenv("BPFLAB_DEFAULT_KERNEL", "").strip()
CONTENT_DIR = Path(os.getenv("CONTENT_DIR", str(BASE_DIR / "content")))

# Abuse limits: answered with HTTP 429 and a message the page shows.
MAX_SOURCE_BYTES = envint("MAX_SOURCE_BYTES", "65536")
RUNS_PER_MINUTE = envint("RUNS_PER_MINUTE", "12")
MAX_CONCURRENT_RUNS = envint("MAX_CONCURRENT_RUNS", "2")
# Authored labs (labs/authoring.py): the size of one file, of a whole lab, of an uploaded
# archive (compressed), and how many files a lab may have.
AUTHORED_FILE_BYTES = envint("AUTHORED_FILE_BYTES", "131072")
AUTHORED_LAB_BYTES = envint("AUTHORED_LAB_BYTES", "524288")
AUTHORED_ARCHIVE_BYTES = envint("AUTHORED_ARCHIVE_BYTES", "524288")
# A worker holds a lease on the run it grades, renewed while it grades; a run
# whose lease ran out (its worker died) goes back to the queue, at most RUN_MAX_ATTEMPTS
# times in all, then fails with a reason. A run queued this long without a worker taking
# it gets another wake-up (the message was lost with Redis, or never sent).
RUN_LEASE_S = envint("RUN_LEASE_S", "15")
RUN_MAX_ATTEMPTS = envint("RUN_MAX_ATTEMPTS", "3")
RUN_REDISPATCH_AFTER_S = envint("RUN_REDISPATCH_AFTER_S", "3")
RUN_SWEEP_EVERY_S = envint("RUN_SWEEP_EVERY_S", "2")
# A run's time budget in the sandbox; past it the learner's program gets a "time limit".
RUN_WALL_S = envint("RUN_WALL_S", "20")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # Django's own default gives "django" a console handler too (while DEBUG is on), and the
    # record then reaches the root's as well: every line was written twice.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "true")
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Free-form runs (the playground, permalinks, embeds, the HTTP API: docs/api.md).
PLAYGROUND_LIVE_MAX_S = envint("PLAYGROUND_LIVE_MAX_S", "30")
API_RUNS_PER_MINUTE = envint("API_RUNS_PER_MINUTE", "30")
API_MAX_CONCURRENT_RUNS = envint("API_MAX_CONCURRENT_RUNS", "2")
# Anonymous runs from embedded snippets: per visitor, per embedding site (docs/embed.md).
EMBED_RUNS_PER_VISITOR_PER_HOUR = envint("EMBED_RUNS_PER_VISITOR_PER_HOUR", "30")
EMBED_RUNS_PER_SITE_PER_HOUR = envint("EMBED_RUNS_PER_SITE_PER_HOUR", "600")
EMBED_TOKEN_MAX_AGE_S = envint("EMBED_TOKEN_MAX_AGE_S", "7200")
# Snippets (permalinks) are kept for good: how many a user, and all visitors without an
# account together, may share an hour.
SNIPPETS_PER_HOUR = envint("SNIPPETS_PER_HOUR", "60")
ANONYMOUS_SNIPPETS_PER_HOUR = envint("ANONYMOUS_SNIPPETS_PER_HOUR", "300")
# Behind N reverse proxies that append to X-Forwarded-For, a visitor's address is the N-th
# from the right (anonymous quotas count by it); 0 trusts only the connection's address.
FORWARDED_FOR_HOPS = envint("FORWARDED_FOR_HOPS", "0")
# Sites that may frame the embed (CSP frame-ancestors); "*" lets any page embed it.
EMBED_FRAME_ANCESTORS = envlist("EMBED_FRAME_ANCESTORS", "*")
