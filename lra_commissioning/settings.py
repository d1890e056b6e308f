"""One settings module for every environment.

Production differs from development only by environment values (see
`.env.example`). DEBUG is off unless DEBUG=true is set (`make run`, `make demo`
and `make test` set it), so a forgotten variable never runs production with
debug pages and two-factor sign-in off. With DEBUG on and nothing else set the
site runs for a first look: SQLite, Celery tasks in-process, e-mail printed to
the console. With DEBUG off, a missing secret stops start-up with a message
that says how to fix it.
"""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("LRA_TESTING", default=False)


def _required_in_production(name, how_to_fix):
    value = env(name, default="")
    if not value and not DEBUG:
        raise ImproperlyConfigured(
            f"{name} is not set and DEBUG is off. {how_to_fix} See .env.example for every setting."
        )
    return value


SECRET_KEY = (
    _required_in_production(
        "SECRET_KEY",
        "Set SECRET_KEY to a long random string, for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
    )
    or "django-insecure-development-only-key-never-use-in-production-1234567890"
)

_allowed_hosts = _required_in_production(
    "ALLOWED_HOSTS",
    "Set ALLOWED_HOSTS to the comma-separated host names the site answers to, "
    "for example `ALLOWED_HOSTS=lra.example.gov.uk`.",
)
ALLOWED_HOSTS = (
    [h.strip() for h in _allowed_hosts.split(",") if h.strip()]
    if _allowed_hosts
    else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The TLS proxy (or proxies) in front of gunicorn: addresses or networks. Only a
# request from one of these may say, in X-Forwarded-For and X-Forwarded-Proto,
# who the client is and that it used HTTPS (lra_commissioning/proxies.py).
# Sign-in lock-outs and the public comment limit count by that client address.
TRUSTED_PROXIES = [p.strip() for p in env.list("TRUSTED_PROXIES", default=[]) if p.strip()]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES holds {_proxy!r}, which is not an IP address or network. "
            "List the addresses of your TLS proxy, for example TRUSTED_PROXIES=10.0.0.5 "
            "or TRUSTED_PROXIES=172.28.0.0/24. See .env.example."
        ) from None

# Applications --------------------------------------------------------------

INSTALLED_APPS = [
    "lra_commissioning.admin_site.LraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "lra_commissioning",
    "specifications",
    "performance",
    "funding",
    "changes",
    "slas",
    "cycle",
    # On top: reads the apps above (never imported by them).
    "board",
]

MIDDLEWARE = [
    # First: forwarding headers count only when our own proxy sent them.
    "lra_commissioning.proxies.TrustedProxyMiddleware",
    "lra_commissioning.middleware.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lra_commissioning.middleware.SessionIdleExpiryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lra_commissioning.middleware.OTPMiddleware",
    "lra_commissioning.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "lra_commissioning.middleware.StaffPagesNoStoreMiddleware",
    # AxesMiddleware must be last: it turns a lockout into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lra_commissioning.urls"
WSGI_APPLICATION = "lra_commissioning.wsgi.application"

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
                "csp.context_processors.nonce",
                "lra_commissioning.context_processors.site",
            ],
        },
    },
]

# Database, cache, broker ---------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# SQLite cannot hold a unique constraint that treats nulls as equal (funding's
# one_budget_line_per_year_category_service, nulls_distinct=False): the service
# checks it before writing, and PostgreSQL enforces it. Not worth a warning on
# every command of a development database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if not DEBUG else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, whose health check also asks the page cache's question
    # (one round trip, not two, before a kept page): lra_commissioning/postgresql/.
    DATABASES["default"]["ENGINE"] = "lra_commissioning.postgresql"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every web process and worker must share one cache: kept pages, their
# generation and the comment limit live there. A per-process cache would serve
# each process's own copy for up to PAGE_CACHE_SECONDS after a write elsewhere.
REDIS_URL = _required_in_production(
    "REDIS_URL",
    "Set REDIS_URL to the Redis that every web process and worker share (the cache, "
    "the kept pages and the Celery broker), for example `REDIS_URL=redis://redis:6379/0`.",
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lra_commissioning.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lra"),
            # A Redis that does not answer must not hold a page up: the cache
            # is never needed (sessions, the signed-in person and throttling
            # are in the database, the cache only keeps copies).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The heaviest pages are kept rendered until the next write (lra_commissioning/page_cache.py);
# this caps how long one is kept. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

# Sessions live in the database with a copy in the cache (Django's cached_db,
# carrying on from the database while the cache is down: lra_commissioning/sessions.py);
# the signed-in person and their roles are kept too (lra_commissioning/auth.py).
SESSION_ENGINE = "lra_commissioning.sessions"

# Celery: with no REDIS_URL tasks run in-process (a first look needs no broker).
# (kombu warns of a broker address without a host: the in-memory one is named.)
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60 * 6,
    # Queueing from a request gives up quickly when Redis does not answer (the
    # database is the outbox: see lra_commissioning/celery.py).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat keeps a run it could not send (the broker down) in the database outbox.
CELERY_BEAT_SCHEDULER = "lra_commissioning.celery:BeatScheduler"
# What a task prints (the console e-mail backend) is not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="lra")
# The beat schedule lives in code, here, one entry per periodic job
# (times are Europe/London). Each task is safe to run twice.
CELERY_BEAT_SCHEDULE = {
    # Notifications: e-mails whose task was lost (the broker was down) go out within minutes.
    "notifications-send-pending": {
        "task": "notifications.send_pending",
        "schedule": crontab(minute="*/10"),
    },
    "notifications-retention": {
        "task": "notifications.retention",
        "schedule": crontab(hour=3, minute=40, day_of_week="sunday"),
    },
    # After a Redis outage: queue the work that could not be queued and mark kept
    # pages stale for writes the cache missed, within a minute of its return.
    "catch-up": {
        "task": "lra_commissioning.catch_up",
        "schedule": 60.0,
    },
    # The commissioning cycle: reminders and escalations, retention, stuck reports.
    # 07:00, then hourly until 19:00: a run that beat could not start or that could
    # not queue its e-mails (Redis or the worker down) is made good within the hour;
    # later runs create no reminder twice.
    "cycle-daily-sweep": {
        "task": "cycle.daily_sweep",
        "schedule": crontab(hour="7-19", minute=0),
    },
    "cycle-retention": {
        "task": "cycle.retention",
        "schedule": crontab(hour=3, minute=30, day_of_week="sunday"),
    },
    "cycle-requeue-stuck-reports": {
        "task": "cycle.requeue_stuck_reports",
        "schedule": crontab(minute="*/10"),
    },
    # board: papers whose rendering was lost, notices that could not be queued.
    "board-queue-again": {
        "task": "board.queue_again",
        "schedule": crontab(minute="15,45"),
    },
    # slas: an agreed SLA is in force from its start date (1 April).
    "slas-bring-due-into-force": {
        "task": "slas.tasks.bring_due_slas_into_force",
        "schedule": crontab(hour=0, minute=10),
    },
    # specifications: erase commenters' names and e-mails past COMMENT_RETENTION_DAYS.
    "specifications-erase-expired-comment-personal-data": {
        "task": "specifications.tasks.erase_expired_comment_personal_data",
        "schedule": crontab(hour=2, minute=15),
    },
}

# E-mail --------------------------------------------------------------------

EMAIL_URL = env("EMAIL_URL", default="consolemail://")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="LRA Commissioning <no-reply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# People and sign-in --------------------------------------------------------

AUTH_USER_MODEL = "lra_commissioning.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the person's roles in the same query.
    "lra_commissioning.auth.RolesModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "public_home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)

# Sessions end after 30 idle minutes: a request moves the expiry on, at most
# once a minute (lra_commissioning.middleware.SessionIdleExpiryMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_TOUCH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: lock a username at one address after 10 failures, so one
# shared council address cannot lock everyone out.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# The client's address: REMOTE_ADDR, or X-Forwarded-For from a TRUSTED_PROXIES address.
AXES_CLIENT_IP_CALLABLE = "lra_commissioning.proxies.client_address"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# Two-factor sign-in (lra_commissioning/two_factor.py): every staff account
# needs a code from an authenticator app or a recovery code when this is on.
# On by default whenever DEBUG is off; `make run` demo users may go without.
# The Django admin site asks for the code whatever this says.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
# New people get an e-mailed invitation to set their password and two-factor
# sign-in (lra_commissioning/services.py, invitation_send); its link works once,
# for this many days.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
OTP_TOTP_ISSUER = env("COUNCIL_NAME", default="Kent County Council") + " LRA Commissioning"
# Wrong codes count towards the same django-axes lock-out as wrong passwords
# (10 per person and address), so django-otp's own growing delay is off: it
# would make a correct code fail for minutes after a few typing mistakes.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Security ------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "lra_commissioning.views.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = [
        *globals().get("SILENCED_SYSTEM_CHECKS", []),
        *env.list("SILENCED_SYSTEM_CHECKS", default=[]),
    ]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # No page has an inline script (see static/js/js-enabled.js). A template
        # that needs one uses request.csp_nonce: django-csp 4 then adds that
        # request's nonce here, in place of its NONCE marker.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads -------------------------------------------------------------------

MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Static files --------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# In development and tests, serve straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Forms ---------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Locale --------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
USE_THOUSAND_SEPARATOR = False

# The service ---------------------------------------------------------------

COUNCIL_NAME = env("COUNCIL_NAME", default="Kent County Council")
SERVICE_NAME = "LRA Commissioning"
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Working days after a period ends when a KPI return is due (an administrator
# can change it in the app; this is the default for a new installation).
RETURN_DUE_WORKING_DAYS = env.int("RETURN_DUE_WORKING_DAYS", default=10)
# Personal data of public comments is erased this many days after receipt.
COMMENT_RETENTION_DAYS = env.int("COMMENT_RETENTION_DAYS", default=365)
COMMENT_RATE_LIMIT_PER_HOUR = env.int("COMMENT_RATE_LIMIT_PER_HOUR", default=5)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")
# The demonstration banner on every page: None shows it where `load_demo` has
# told its story in this database (see lra_commissioning.context_processors);
# True or False decides. Off in tests unless a test turns it on.
DEMO_BANNER = env.bool("DEMO_BANNER", default=False if TESTING else None)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}
