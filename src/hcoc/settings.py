"""Settings, all read from the environment here and documented in docs/configuration.md.

`ENV_VARS` lists every variable this module reads; a test checks each one is documented.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_VARS: dict[str, str] = {}


def env(name: str, default: str) -> str:
    ENV_VARS[name] = default
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


VAR_DIR = Path(env("HCOC_VAR_DIR", str(BASE_DIR / "var")))
DATA_DIR = BASE_DIR / "data"
DEBUG = env_bool("HCOC_DEBUG", False)
# A state's national node (`hcoc node`, docs/node.md) instead of the exchange: its own URL map,
# its own database (var/node.sqlite3 by default), no exchange-only middleware.
NODE = env_bool("HCOC_NODE", False)


def _secret_key() -> str:
    """From HCOC_SECRET_KEY, or a random key kept in VAR_DIR (never in the repository)."""
    given = env("HCOC_SECRET_KEY", "")
    if given:
        return given
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in env("HCOC_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    # The admin behind the site's own login (one login path, lockout, second factor).
    "hcoc.ui.apps.AdminConfig",
    # Before django.contrib.auth: the first app with a command of a name wins, and accounts'
    # `changepassword` refuses a state's user (a state's password is its own).
    "hcoc.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # serves the API docs' Swagger UI from its own static files (no CDN)
    "hcoc.states",
    "hcoc.registry",
    "hcoc.sites",
    "hcoc.exchange",
    "hcoc.notifications",
    "hcoc.declarations",
    "hcoc.idempotency",
    "hcoc.ui",
    "hcoc.project",
    "hcoc.delivery",
    "hcoc.compliance",
    "hcoc.ledger",
    "hcoc.observers",
    "hcoc.meetings",
    "hcoc.ratelimit",
    "hcoc.node",
    "django_tasks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hcoc.idempotency.middleware.RequestSizeLimitMiddleware",
    # Text no database stores (NUL) in a page's path, query, form or a cookie: 400/404 before the
    # session middleware looks a cookie up (the API names such fields itself: hcoc.api).
    "hcoc.ui.middleware.UnstorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The reader's language: the user's own, else the cookie, else Accept-Language; never the
    # API's (after authentication, which it needs to know the user).
    "hcoc.ui.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hcoc.ui.middleware.ContentSecurityPolicyMiddleware",
    # Before idempotency and the ledger, so that a refused (429) request does nothing; after
    # authentication and CSP, so that the login's 429 page is a page like the others.
    "hcoc.ratelimit.middleware.RateLimitMiddleware",
    "hcoc.idempotency.middleware.IdempotencyMiddleware",
    # Innermost: checks request signatures and adds receipts, so a replayed idempotent answer
    # carries the receipts of the first one.
    "hcoc.ledger.middleware.LedgerMiddleware",
]

ROOT_URLCONF = "hcoc.urls"
if NODE:
    ROOT_URLCONF = "hcoc.node.urls"
    # The node takes no request in a state's name (it signs its own, to the exchange): the
    # exchange's limits, idempotency records and signature checks have nothing to guard there.
    MIDDLEWARE = [
        m for m in MIDDLEWARE if m.split(".")[1] not in ("ratelimit", "idempotency", "ledger")
    ]
WSGI_APPLICATION = "hcoc.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "hcoc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # Which pages the navigation offers (hcoc.ui.pages.page_access).
                "hcoc.ui.pages.page_access",
                # The pages' live stream (hcoc.delivery.page_stream), for the pages that follow it.
                "hcoc.delivery.context_processors.live_stream",
                # What a state's user's browser signs with (hcoc.ledger.signing, sign.js).
                "hcoc.ledger.signing.signing",
            ]
        },
    }
]

if NODE:  # the exchange's navigation, live stream and signing are not the node's pages'
    TEMPLATES[0]["OPTIONS"]["context_processors"] = [
        p for p in TEMPLATES[0]["OPTIONS"]["context_processors"] if p.startswith("django.")
    ]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / ('node' if NODE else 'hcoc')}.sqlite3"),
        # Seconds a worker keeps its database connection between requests. Under the ASGI
        # server (hcoc/asgi.py) too: there every request's sync code runs in one thread per
        # process, which keeps its connection (docs/decisions/0006).
        conn_max_age=int(env("HCOC_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at the
        # start of every transaction, so two writers queue instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests use a file, not memory, so that server threads started by tests share it; one file
    # per test run, so that two runs at once (e.g. two checkouts' suites) do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
# PostgreSQL only: a pool of at most this many connections per server process (psycopg_pool),
# taken for a request and given back after it; 0: none. The ASGI server (hcoc/asgi.py) sets 10:
# the request thread, the streams' reads and the hub's poller share it.
DB_POOL_SIZE = int(env("HCOC_DB_POOL_SIZE", "0"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # a pool keeps the connections itself
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
# The six official languages of the United Nations, in which the Code was circulated (A/57/724;
# issue 27). The pages, forms, e-mails and reports follow the reader's language; the API does
# not (its bytes are the published contract: hcoc.ui.middleware.LanguageMiddleware).
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
# The catalogues: .po in the repository, .mo compiled from them by `make setup` (tools/catalogues.py).
LOCALE_PATHS = [BASE_DIR / "src" / "hcoc" / "locale"]
LANGUAGE_COOKIE_NAME = "hcoc_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
# A date or time shown bare in a template reads as ISO 8601 in every language (hcoc.locale_formats),
# not in each language's own way.
FORMAT_MODULE_PATH = ["hcoc.locale_formats"]
USE_I18N = True
USE_TZ = True

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
# Lockout: after this many failed logins in a row, an account is locked for LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILURES = int(env("HCOC_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(env("HCOC_LOGIN_LOCKOUT_MINUTES", "15"))
# How long an enrolment link (by which a new user sets its own password) stays valid.
ENROLMENT_LINK_HOURS = int(env("HCOC_ENROLMENT_LINK_HOURS", "72"))
OTP_TOTP_ISSUER = "HCoC Exchange"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [Path(__file__).resolve().parent / "static"]  # site files and vendored packages
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step
# A vendored font file's address carries its package's version (vendor/noto-sans-sc/5.3.1/...,
# tools/vendor_fonts.py): it never changes under the same address, so browsers may keep it for a
# year ("immutable") instead of asking again every minute; a Chinese page uses dozens of them.
WHITENOISE_IMMUTABLE_FILE_TEST = r"/vendor/[^/]+/\d+\.\d+\.\d+/[^/]+\.woff2$"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# `hcoc serve`: a request's headers must arrive within HEADER_TIMEOUT_SECONDS of the connection
# (or of the previous answer on a kept-alive one), its body within BODY_TIMEOUT_SECONDS of its
# headers, or the connection is closed (hcoc.project.serving): slow clients hold nothing for long.
HEADER_TIMEOUT_SECONDS = float(env("HCOC_HEADER_TIMEOUT_SECONDS", "10"))
BODY_TIMEOUT_SECONDS = float(env("HCOC_BODY_TIMEOUT_SECONDS", "60"))
# Request bodies above this size are refused with 413 before they are read.
MAX_REQUEST_BYTES = int(env("HCOC_MAX_REQUEST_BYTES", str(1024 * 1024)))
# A claim of an Idempotency-Key without an answer (only an older version committed those) lapses
# after this long, so a retry is never refused for ever (docs/configuration.md).
IDEMPOTENCY_CLAIM_LAPSE_SECONDS = int(env("HCOC_IDEMPOTENCY_CLAIM_LAPSE_SECONDS", "60"))
# Meeting documents (PDF, ODT, DOCX) may be larger: their upload paths get this limit (plus room
# for the multipart envelope) instead; RequestSizeLimitMiddleware still refuses anything above it.
HCOC_MEETING_DOCUMENT_MAX_BYTES = int(env("HCOC_MEETING_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_MAX_REQUEST_BYTES = HCOC_MEETING_DOCUMENT_MAX_BYTES + 64 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MAX_REQUEST_BYTES, UPLOAD_MAX_REQUEST_BYTES)

HTTPS = env_bool("HCOC_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# E-mail (reminders): printed to the console by default; SMTP when HCOC_SMTP_HOST is set.
DEFAULT_FROM_EMAIL = env("HCOC_EMAIL_FROM", "hcoc-exchange@localhost")
# Links in e-mails and in `hcoc user enrol` (pages build theirs from the request): by default the
# address `hcoc serve` / `make run` listen on, port included.
SITE_URL = env("HCOC_SITE_URL", f"http://127.0.0.1:{env('PORT', '8000')}").rstrip("/")
EMAIL_HOST = env("HCOC_SMTP_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("HCOC_SMTP_PORT", "587"))
    EMAIL_HOST_USER = env("HCOC_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env("HCOC_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("HCOC_SMTP_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background tasks (django-tasks): run immediately when enqueued unless a backend is configured,
# so the embedded default needs no worker.
TASKS = {
    "default": {
        "BACKEND": env("HCOC_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

# Live delivery (issue 11): webhooks, e-mail alerts, the ICC's chases (docs/operations.md).
# Networks a webhook URL may point into although they are not public (private, loopback,
# link-local...): comma-separated CIDRs, e.g. `127.0.0.0/8,::1/128` for a demo on one machine.
WEBHOOK_ALLOWED_NETWORKS = [
    n.strip() for n in env("HCOC_WEBHOOK_ALLOWED_NETWORKS", "").split(",") if n.strip()
]
WEBHOOK_TIMEOUT_SECONDS = float(env("HCOC_WEBHOOK_TIMEOUT_SECONDS", "10"))
# A failing endpoint is retried (exponential backoff, full jitter) this long, then disabled.
WEBHOOK_RETRY_HOURS = float(env("HCOC_WEBHOOK_RETRY_HOURS", "72"))
DELIVERY_POLL_SECONDS = float(env("HCOC_DELIVERY_POLL_SECONDS", "0.1"))
# Webhook deliveries in flight at once (on one event loop; one per endpoint at a time).
DELIVERY_CONCURRENCY = int(env("HCOC_DELIVERY_CONCURRENCY", "256"))
# `hcoc deliver` lowers its own CPU priority by this much (os.nice) when it starts: catching up a
# backlog, it must not take the CPU from the server's requests beside it. 0: left as it is.
DELIVERY_NICE = int(env("HCOC_DELIVERY_NICE", "10"))
# The worker's daily run (digests, chases) starts at this hour, UTC.
DELIVERY_DAILY_HOUR = int(env("HCOC_DELIVERY_DAILY_HOUR", "6"))
# The ICC chases a state that has not acknowledged an item this long after it entered the feed.
CHASE_AFTER_HOURS = float(env("HCOC_CHASE_AFTER_HOURS", "48"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("HCOC_LOG_LEVEL", "WARNING")},
}

# The transparency log (issue 6): the origin line of its checkpoints, and where the exchange keeps
# its own secret (the checkpoint-signing key; it holds no state's key).
LOG_ORIGIN = env("HCOC_LOG_ORIGIN", "localhost/hcoc-exchange")
LEDGER_KEY_DIR = Path(env("HCOC_LEDGER_KEY_DIR", str(VAR_DIR / "keys")))
# How far a signed request's `created` time may be from the exchange's clock, in seconds.
SIGNATURE_MAX_SKEW = int(env("HCOC_SIGNATURE_MAX_SKEW", "300"))

# Rate limits (issue 10), requests per minute; 0 turns one off. Counted in the cache below, which
# every worker and server shares: the database (table `hcoc_cache`, made by `hcoc migrate`), or
# Redis when REDIS_URL is set.
RATE_LIMIT_API = int(env("HCOC_RATE_LIMIT_API", "600"))  # per token
RATE_LIMIT_API_ADDRESS = int(env("HCOC_RATE_LIMIT_API_ADDRESS", "1200"))  # per client address
RATE_LIMIT_LOGIN = int(env("HCOC_RATE_LIMIT_LOGIN", "10"))  # per address, and per user name
# Reverse proxies in front that append the client's address to X-Forwarded-For; 0: none, and the
# header is never trusted (the client address is REMOTE_ADDR).
RATE_LIMIT_PROXY_COUNT = int(env("HCOC_PROXY_COUNT", "0"))
REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hcoc",
        }
    }
else:
    CACHES = {
        "default": {
            # Django's database cache with an atomic incr (hcoc/ratelimit/cache.py).
            "BACKEND": "hcoc.ratelimit.cache.DatabaseCache",
            "LOCATION": "hcoc_cache",
            # Expired rows are deleted once the table passes this many; live counters are far
            # fewer (one per token, address and user name active in the last two minutes).
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Live delivery (issue 11, hcoc.delivery). SQLite: how often each server process asks the database
# whether the feed has grown (one query per process, whatever the number of open streams).
# PostgreSQL: every write's NOTIFY wakes the processes, which otherwise ask only every
# STREAM_QUIET_SECONDS. And how often a quiet stream gets a comment line so that proxies keep it
# open.
STREAM_POLL_MS = int(env("HCOC_STREAM_POLL_MS", "25"))
STREAM_QUIET_SECONDS = float(env("HCOC_STREAM_QUIET_SECONDS", "5"))
STREAM_HEARTBEAT_SECONDS = float(env("HCOC_STREAM_HEARTBEAT_SECONDS", "15"))

# The national node (`hcoc node`, docs/node.md). Its upstream, token and key come from its command
# line; these tune it.
NODE_UPSTREAM = env("HCOC_NODE_UPSTREAM", "")  # set by `hcoc node --upstream`
NODE_STATE = env("HCOC_NODE_STATE", "")  # set by `hcoc node --state`
# The node's own API token for POST /api/v1/acknowledgements on the node (none: refused).
NODE_API_TOKEN = env("HCOC_NODE_API_TOKEN", "")
# Without a stream, the node reads the exchange's log this often (seconds).
NODE_POLL_SECONDS = float(env("HCOC_NODE_POLL_SECONDS", "5"))
# How often the node compares its whole copy with what the exchange serves now (seconds).
NODE_AUDIT_SECONDS = float(env("HCOC_NODE_AUDIT_SECONDS", "300"))
# Who is e-mailed what the node finds wrong with the exchange (comma-separated addresses).
NODE_ADMINS = [a.strip() for a in env("HCOC_NODE_ADMINS", "").split(",") if a.strip()]
