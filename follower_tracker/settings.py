"""Settings for Follower Tracker, read from the environment.

Runs with no configuration at all (SQLite file, a broker that needs no
server, DEBUG on); production sets DATABASE_URL, CELERY_BROKER_URL,
SECRET_KEY, DEBUG=false and ALLOWED_HOSTS. See README.md for every variable.
"""

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

PLACEHOLDER_SECRET_KEY = "dev-only-insecure-secret-key-change-me"

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY", PLACEHOLDER_SECRET_KEY)
if not DEBUG and SECRET_KEY in ("", PLACEHOLDER_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from static (no CDN)
    "legislators",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, so static files keep their long cache: every HTML page gets
    # "Cache-Control: private, no-store" unless it set its own.
    "follower_tracker.middleware.PrivatePagesMiddleware",
    # Pages and downloads gzipped for browsers that accept it (a phone's overview: 79 KB of HTML -> 10 KB);
    # static files come compressed from whitenoise already. Django 5.2 pads each gzip body with random bytes
    # and masks the CSRF token per response, the mitigations of the BREACH attack on compressed HTTPS pages.
    # Django's middleware at level 4 (follower_tracker/middleware.py: a chart's JSON costs 4x less to compress).
    "follower_tracker.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a login unless marked @login_not_required (login,
    # language switch, /healthz); static files never reach a view (whitenoise).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "follower_tracker.urls"
WSGI_APPLICATION = "follower_tracker.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
            # The dashboard's template tags live with the pages (metrics/web/), not at the app's top.
            "libraries": {
                "downloads": "metrics.web.templatetags.downloads",
                "localised": "metrics.web.templatetags.localised",
                "tracker": "metrics.web.templatetags.tracker",
            },
        },
    },
]

# Database: a SQLite file by default; DATABASE_URL for anything else
# (postgres://user@host:5432/name in production and CI).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        # A worker whose connection died with a PostgreSQL restart opens a new
        # one at the next task instead of failing on the stale one.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is down (health check, web pages) instead of
    # hanging on the operating system's connect timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5, 1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs the web app, a worker and beat on one file:
    # WAL lets readers run beside the writer, IMMEDIATE takes the write lock
    # up front so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The dashboard's queries run in milliseconds; PostgreSQL's JIT compiles the
    # larger ones (the standings at national scale) for ~0.3 s before running them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend with the user's scope and permissions read in fewer queries (legislators.access).
    "legislators.access.ScopedModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "metrics:overview"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("hi", _("Hindi"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "follower_tracker.staticfinders.PlotlyFinder",
]
# Hashed, compressed static files (follower_tracker/staticstorage.py: names with a content hash, cached a year
# as immutable; gzip and Brotli written at collectstatic): production, and `make run` (STATIC_HASHED=true,
# collected into var/static). Off by default under DEBUG: files are served from the source folders as edited.
STATIC_HASHED = env_bool("STATIC_HASHED", default=not DEBUG)
STATIC_BROTLI_QUALITY = env_int("STATIC_BROTLI_QUALITY", 11, minimum=0)
if STATIC_BROTLI_QUALITY > 11:
    raise ImproperlyConfigured("STATIC_BROTLI_QUALITY must be between 0 and 11.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "follower_tracker.staticstorage.HashedCompressedStorage"
            if STATIC_HASHED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if STATIC_HASHED:
    # Served from STATIC_ROOT as collected (the compressed copies beside each file), never from the
    # source folders, even under DEBUG (make run).
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False

# Production hardening (all inactive under DEBUG so runserver works on http).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sessions read from the default cache, kept in the database (follower_tracker/sessions.py): no session
# query on every page; a cache outage falls back to the database.
SESSION_ENGINE = "follower_tracker.sessions"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads the token: forms carry it in a hidden field

# Behind a TLS proxy (README "Deployment"): the proxy sets X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER above) and the site's origin goes in CSRF_TRUSTED_ORIGINS.
# /healthz answers over plain HTTP even with SECURE_SSL_REDIRECT on: container and
# load-balancer health checks call gunicorn directly, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content-Security-Policy (django-csp). Scripts only from our own origin, no
# inline script anywhere: charts read their data from json_script blocks
# (static/js/charts.js), party colours come from data-colour attributes
# (static/js/app.js). Style attributes are refused too. One exception:
# plotly.js injects its own <style> elements when it draws a chart, so inline
# <style> ELEMENTS are allowed (style-src-elem); a style cannot run code.
# The constituency map (plotly's choroplethmap, MapLibre) starts its tile worker from a
# blob: URL that plotly.js itself makes: workers may come from our origin or blob: only
# (worker-src; scripts stay 'self'). The map's base is "white-bg": nothing is fetched.
# tests/security/test_csp_browser.py checks the pages in Chromium.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for a
# username from one address, that pair is locked out for the cool-off time,
# whatever password it tries next; a successful login resets the pair's count.
# One address failing AXES_ADDRESS_FAILURE_LIMIT times, whatever the usernames,
# is locked out as a whole (follower_tracker/throttling.py: axes has one limit,
# the second one is expressed through its lockout parameters).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int(
    "AXES_ADDRESS_FAILURE_LIMIT", max(30, AXES_FAILURE_LIMIT), minimum=AXES_FAILURE_LIMIT
)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = "follower_tracker.throttling.lockout_parameters"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address: with proxies in front of gunicorn, the one the outermost proxy
# appended to X-Forwarded-For (AXES_PROXY_COUNT proxies; django-ipware, which axes'
# own AXES_IPWARE_PROXY_COUNT needs, is not installed).
TRUSTED_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "follower_tracker.throttling.client_ip"

# Celery. The default broker is Kombu's filesystem transport: it needs no
# server, so `make run` starts a worker and beat on a fresh machine.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        # Kombu's broadcast (control) exchange files: under var/, not a "control/" folder in the working directory.
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Fail fast when the broker is down: a web request that enqueues ("poll now")
# gives up after about two seconds and says the queue is unavailable instead of
# hanging; workers and beat keep retrying the connection until it is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# The Redis broker's options follow the polling settings below (its visibility
# timeout is derived from how long a batch task may hold its message).

# Polling: "demo" simulates growth without credentials (make run);
# "live" calls the platforms' APIs with the credentials below.
FOLLOWER_CLIENT = env_str("FOLLOWER_CLIENT", "live")
if FOLLOWER_CLIENT not in ("live", "demo"):
    raise ImproperlyConfigured("FOLLOWER_CLIENT must be 'live' or 'demo'.")
FETCH_BATCH_SIZE = env_int("FETCH_BATCH_SIZE", 0, minimum=0)  # 0: each platform's default

# Platform APIs (see README "Platform clients"). A platform without its
# credentials is skipped with a visible reason; the tokens are never logged.
X_BEARER_TOKEN = env_str("X_BEARER_TOKEN")
X_API_BASE_URL = env_str("X_API_BASE_URL", "https://api.twitter.com").rstrip("/")
GRAPH_API_BASE_URL = env_str("GRAPH_API_BASE_URL", "https://graph.facebook.com").rstrip("/")
GRAPH_API_VERSION = env_str("GRAPH_API_VERSION", "v26.0")
FACEBOOK_ACCESS_TOKEN = env_str("FACEBOOK_ACCESS_TOKEN")
INSTAGRAM_ACCESS_TOKEN = env_str("INSTAGRAM_ACCESS_TOKEN")
INSTAGRAM_BUSINESS_ACCOUNT_ID = env_str("INSTAGRAM_BUSINESS_ACCOUNT_ID")
YOUTUBE_API_BASE_URL = env_str("YOUTUBE_API_BASE_URL", "https://www.googleapis.com/youtube/v3").rstrip("/")
YOUTUBE_API_KEY = env_str("YOUTUBE_API_KEY")
PLATFORM_HTTP_TIMEOUT = env_int("PLATFORM_HTTP_TIMEOUT", 20, minimum=1)  # seconds, every HTTP call

# Requests per window that all workers together may spend on each platform,
# counted in Redis (PLATFORM_BUDGET_REDIS_URL, default: the broker when it is
# Redis; without Redis each process counts for itself).
PLATFORM_REQUEST_BUDGETS = {
    "x": (env_int("X_REQUESTS_PER_15_MIN", 300, minimum=1), 15 * 60),
    "facebook": (env_int("FACEBOOK_REQUESTS_PER_HOUR", 200, minimum=1), 3600),
    "instagram": (env_int("INSTAGRAM_REQUESTS_PER_HOUR", 200, minimum=1), 3600),
    "youtube": (env_int("YOUTUBE_REQUESTS_PER_DAY", 9500, minimum=1), 24 * 3600),
}
PLATFORM_BUDGET_REDIS_URL = env_str(
    "PLATFORM_BUDGET_REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
# Retries of a batch: 5xx and timeouts back off exponentially (base × 2^n)
# a bounded number of times; a rate limit waits for the platform's reset when
# that is at most FETCH_MAX_RETRY_WAIT away, otherwise the batch fails with
# the reason and the platform stays paused until the reset.
FETCH_RETRY_BASE_SECONDS = env_int("FETCH_RETRY_BASE_SECONDS", 2, minimum=0)
FETCH_TRANSIENT_RETRIES = env_int("FETCH_TRANSIENT_RETRIES", 3, minimum=0)
FETCH_RATE_LIMIT_RETRIES = env_int("FETCH_RATE_LIMIT_RETRIES", 12, minimum=0)
FETCH_MAX_RETRY_WAIT = env_int("FETCH_MAX_RETRY_WAIT", 16 * 60, minimum=1)
# Each retry wait is stretched by a random 0-20%, so workers that met the same
# limit do not all call again in the same second.
FETCH_RETRY_JITTER = 0.2
# The longest a batch task holds its message unacknowledged: the longest
# retry countdown (a retry is a new message the worker holds until its ETA:
# FETCH_MAX_RETRY_WAIT × (1 + FETCH_RETRY_JITTER)) plus the longest attempt
# (CELERY_TASK_TIME_LIMIT, the hard limit; the soft one settles the batch).
FETCH_BATCH_MAX_SECONDS = int(FETCH_MAX_RETRY_WAIT * (1 + FETCH_RETRY_JITTER)) + CELERY_TASK_TIME_LIMIT
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        # A task taken by a worker that then dies without acknowledging it
        # (SIGKILL, power cut) is given to another worker after this long.
        # visibility_timeout = FETCH_BATCH_MAX_SECONDS + 60 s of margin, so a
        # healthy worker's batch (or a retry waiting for its ETA) is never
        # handed out twice, and a dead worker's batch waits no longer than
        # that: with the defaults 960 × 1.2 + 600 + 60 = 1,812 s (30 minutes).
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", FETCH_BATCH_MAX_SECONDS + 60, minimum=1),
    }
# Test-only hooks of the demo client (the fault suite): a delay per batch so
# a worker can be killed mid-batch, and a URL it calls per platform
# (f"{url}{platform}") so a hanging platform can be simulated over HTTP.
DEMO_CLIENT_DELAY_SECONDS = float(env_str("DEMO_CLIENT_DELAY_SECONDS", "0") or 0)
DEMO_CLIENT_PROBE_URL = env_str("DEMO_CLIENT_PROBE_URL", "")

# Connected accounts (README "Followers in their own constituency"): OAuth apps
# and the key that encrypts their tokens at rest. Without them the connect
# buttons say "not configured"; the public counts need none of this.
CONNECTIONS_ENCRYPTION_KEYS = env_str("CONNECTIONS_ENCRYPTION_KEYS")  # Fernet keys, comma-separated, newest first
FACEBOOK_APP_ID = env_str("FACEBOOK_APP_ID")
FACEBOOK_APP_SECRET = env_str("FACEBOOK_APP_SECRET")
FACEBOOK_LOGIN_CONFIG_ID = env_str("FACEBOOK_LOGIN_CONFIG_ID")  # Facebook Login for Business configuration
FACEBOOK_DIALOG_URL = env_str("FACEBOOK_DIALOG_URL", "https://www.facebook.com").rstrip("/")
GOOGLE_CLIENT_ID = env_str("GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("GOOGLE_CLIENT_SECRET")
GOOGLE_AUTHORIZE_URL = env_str("GOOGLE_AUTHORIZE_URL", "https://accounts.google.com/o/oauth2/v2/auth")
GOOGLE_TOKEN_URL = env_str("GOOGLE_TOKEN_URL", "https://oauth2.googleapis.com/token")
GOOGLE_REVOKE_URL = env_str("GOOGLE_REVOKE_URL", "https://oauth2.googleapis.com/revoke")
YOUTUBE_ANALYTICS_BASE_URL = env_str("YOUTUBE_ANALYTICS_BASE_URL", "https://youtubeanalytics.googleapis.com/v2")
# Where the providers send the user back: SITE_URL + this path (register it with each app).
CONNECT_REDIRECT_PATH = "/connections/callback/"
# A staff link (an Editor makes it for one member) works this long.
CONNECT_LINK_HOURS = env_int("CONNECT_LINK_HOURS", 72, minimum=1)
# Tokens expiring within this many days are refreshed by the daily job.
CONNECTION_REFRESH_DAYS = env_int("CONNECTION_REFRESH_DAYS", 7, minimum=1)
# YouTube views by city: the window of days a weekly poll asks for.
GEOGRAPHY_VIEWS_DAYS = env_int("GEOGRAPHY_VIEWS_DAYS", 28, minimum=1)
# A member is "local" when the estimated followers among their voters are at least this share (%).
LOCAL_SHARE_MIN_PERCENT = float(env_str("LOCAL_SHARE_MIN_PERCENT", "1.0") or 1.0)

# Settings whose values are secrets: the logging filter below replaces them
# with [redacted] in every log record. Add each new credential here.
SECRET_SETTING_NAMES = [
    "SECRET_KEY",
    "X_BEARER_TOKEN",
    "FACEBOOK_ACCESS_TOKEN",
    "INSTAGRAM_ACCESS_TOKEN",
    "YOUTUBE_API_KEY",
    "CONNECTIONS_ENCRYPTION_KEYS",
    "FACEBOOK_APP_SECRET",
    "GOOGLE_CLIENT_SECRET",
]

# The date the standings count down to when a page asks "by when".
NEXT_ELECTION_DATE = env_str("NEXT_ELECTION_DATE", "2028-11-30")

# Exports: an Excel download stops here (with a message pointing to CSV,
# which streams without a limit).
EXPORT_XLSX_MAX_ROWS = env_int("EXPORT_XLSX_MAX_ROWS", 100_000, minimum=1)

# E-mail (the weekly digest). The console backend prints messages instead of
# sending them; production sets EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST* variables.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Follower Tracker <tracker@localhost>")
# The digest's link back to the dashboard (no request to build it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Accounts without a successful poll for this many days are "stale".
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 2, minimum=1)

# Imports are bounded, so no upload can hold a worker or its memory: the file's size, the XLSX's
# unpacked size (a zip bomb), the rows read (blank ones included) and the seconds spent reading.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=10)
IMPORT_MAX_SECONDS = env_int("IMPORT_MAX_SECONDS", 20, minimum=1)

# The read API (/api/v1/, README "API"): Django REST framework. Personal API
# tokens (Authorization: Bearer ...) or the browser's session; every endpoint
# needs metrics.view_dashboard (metrics/api/permissions.py adds the rest).
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "120/min")
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(f"API_THROTTLE_RATE={API_THROTTLE_RATE!r}: expected requests/period, e.g. 120/min.")
# Where the API's request counts are kept: Redis (shared by every web worker)
# when there is one, else each process's memory (one process: exact; several: each counts apart).
API_THROTTLE_REDIS_URL = env_str(
    "API_THROTTLE_REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
# The default cache holds what changes only when the counts change (the dashboard's rendered charts,
# metrics/web/chart_cache.py): Redis, shared by every web worker, when CACHE_URL (or REDIS_URL) is set;
# otherwise each process's memory. A chart is kept at most CHART_CACHE_SECONDS (a bound for the changes
# its key might not see); a poll's batch, an audited write or a new member changes its key.
CACHE_URL = env_str("CACHE_URL", env_str("REDIS_URL", ""))
CHART_CACHE_SECONDS = env_int("CHART_CACHE_SECONDS", 900, minimum=0)
# Rendered pages (metrics/web/page_cache.py) under the same rule: a new data version is a new key; 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 900, minimum=0)
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "ft",
            # A Redis outage costs a page at most a second or two (the chart is then drawn afresh), never a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    "api-throttle": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": API_THROTTLE_REDIS_URL}
        if API_THROTTLE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-throttle"}
    ),
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "metrics.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["metrics.api.permissions.CanViewDashboard"],
    "DEFAULT_THROTTLE_CLASSES": ["metrics.api.permissions.ApiRateThrottle"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "metrics.api.renderers.FormatNegotiation",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],  # read-only
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Follower Tracker API",
    "DESCRIPTION": (
        "Read-only: the dashboard's members, constituencies, standings, histories, rollups, fetch runs and "
        "data freshness, with the pages' filters and the user's division/district scope. Lists are JSON with "
        "cursor pagination, or the whole list as CSV (?format=csv) or Parquet (?format=parquet)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No call to an outside validator from the docs page (CSP, and nothing leaves the site).
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True, "persistAuthorization": False},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PlatformEnum": "metrics.standings.engine_sql.PLATFORMS",
        "HistoryPlatformEnum": "metrics.api.serializers.HISTORY_PLATFORMS",
        "FetchRunKindEnum": "metrics.api.serializers.FETCH_RUN_KINDS",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "follower_tracker.logging.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # tweepy logs the Authorization header at DEBUG: never let it through.
        "tweepy": {"level": "INFO"},
        "urllib3": {"level": "INFO"},
        # django-axes announces itself at INFO on every start (each management command); lockouts are WARNING.
        "axes": {"level": "WARNING"},
    },
}
