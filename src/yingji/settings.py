"""Django settings for Yingji. Everything deployment-specific comes from the environment (see README)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("YINGJI_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("YINGJI_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("YINGJI_DEBUG", False)
# The demo/dev key only serves a laptop; production must set YINGJI_SECRET_KEY (checked by `check --deploy`).
SECRET_KEY = os.environ.get("YINGJI_SECRET_KEY", "yingji-insecure-demo-key-change-me-in-production-0000")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("YINGJI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("YINGJI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "auditlog",
    "ninja",  # /api/docs served from ninja's bundled static files, not a CDN
    "yingji.core",
    "yingji.surveillance",
    "yingji.detection",
    "yingji.response",
    "yingji.web",
    "yingji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yingji.web.middleware.LocaleMiddleware",  # zh-Hans unless the user switched (ignores Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yingji.urls"
WSGI_APPLICATION = "yingji.wsgi.application"

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
                "yingji.web.context.navigation",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL 15 in production and CI through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yingji.sqlite3'}"),
        conn_max_age=int(os.environ.get("YINGJI_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Throttled failed logins: lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("YINGJI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("YINGJI_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Sessions expire after 8 hours of inactivity (one duty shift) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("YINGJI_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("YINGJI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns about a missing folder before the first collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads: imports larger than this are refused with a clear message (see core.importing).
YINGJI_MAX_UPLOAD_BYTES = int(os.environ.get("YINGJI_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = YINGJI_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["YINGJI_CACHE_URL"]}
        if os.environ.get("YINGJI_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work: Celery on Redis when a broker is configured, otherwise in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# Audit: record every change with the full before/after of the changed fields.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Per-user API request rate ("3000/min", "50/s"); counted in the cache, so set YINGJI_CACHE_URL to share it.
YINGJI_API_RATE = os.environ.get("YINGJI_API_RATE", "3000/min")
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500

# Report cards of the same person and disease diagnosed within this many days are flagged as possible duplicates.
# Years of history the demo city's surveillance step builds (the demo wants 3; the test suite asks for 1).
YINGJI_DEMO_YEARS = int(os.environ.get("YINGJI_DEMO_YEARS", "3"))
YINGJI_DUPLICATE_WINDOW_DAYS = int(os.environ.get("YINGJI_DUPLICATE_WINDOW_DAYS", "30"))

# Public-health event reports: the initial report is due this many hours after discovery (规范: 2 小时内); a
# cluster rule without a window of its own looks this many days around a new case for the same event.
YINGJI_EVENT_INITIAL_REPORT_HOURS = int(os.environ.get("YINGJI_EVENT_INITIAL_REPORT_HOURS", "2"))
YINGJI_CLUSTER_LOOKBACK_DAYS = int(os.environ.get("YINGJI_CLUSTER_LOOKBACK_DAYS", "30"))
# Early warning: a signal's preliminary verification (初步核实) is due this many hours after it is issued, unless its
# detection configuration sets its own (CIDARS: 24 h for temporal-model signals).
YINGJI_SIGNAL_VERIFY_HOURS = int(os.environ.get("YINGJI_SIGNAL_VERIFY_HOURS", "24"))
# A series whose open signal last alarmed within this many days gets no new statistical signal: the alarm joins
# the open one (0 = a new signal every day the series alarms, as a bare CIDARS run would).
YINGJI_SIGNAL_QUIET_DAYS = int(os.environ.get("YINGJI_SIGNAL_QUIET_DAYS", "7"))
# SMS gateway for notifications: a dotted path to a class with send(phone, text). The default only logs.
YINGJI_SMS_BACKEND = os.environ.get("YINGJI_SMS_BACKEND", "yingji.core.notify.LoggingSmsBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("YINGJI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

YINGJI_SITE_NAME = _("Yingji public-health emergency management platform")

# Close contacts (流调/密接, response/services/contacts.py): the quarantine period in days counted from the last
# exposure, per mode when YINGJI_RESPONSE_QUARANTINE_DAYS_BY_MODE names one ({"centralized": 14, "home": 14});
# KPIs as Go.Data computes them: contacts not seen for this many days, new cases among known contacts over this
# many days; contact types ([code, label] pairs) replace the defaults when set.
YINGJI_RESPONSE_QUARANTINE_DAYS = int(os.environ.get("YINGJI_RESPONSE_QUARANTINE_DAYS", "14"))
YINGJI_RESPONSE_QUARANTINE_DAYS_BY_MODE: dict[str, int] = {}
YINGJI_RESPONSE_NOT_SEEN_DAYS = int(os.environ.get("YINGJI_RESPONSE_NOT_SEEN_DAYS", "2"))
YINGJI_RESPONSE_AMONG_CONTACTS_DAYS = int(os.environ.get("YINGJI_RESPONSE_AMONG_CONTACTS_DAYS", "14"))
YINGJI_RESPONSE_CONTACT_TYPES: list = []
# Situation reports (信息报送, response/services/sitreps.py; statutory-rules §2.2–2.3): the initial report is due
# this many hours after the event occurred (2 小时内), each progress report this many hours after the previous
# report while the response is active (至少按日), the final report this many days after the event ended (2 周内).
YINGJI_RESPONSE_SITREP_INITIAL_HOURS = int(os.environ.get("YINGJI_RESPONSE_SITREP_INITIAL_HOURS", "2"))
YINGJI_RESPONSE_SITREP_PROGRESS_HOURS = int(os.environ.get("YINGJI_RESPONSE_SITREP_PROGRESS_HOURS", "24"))
YINGJI_RESPONSE_SITREP_FINAL_DAYS = int(os.environ.get("YINGJI_RESPONSE_SITREP_FINAL_DAYS", "14"))
# Consultation materials (会商材料): size limit; a decision turned into a task without a due date is due in this many
# hours.
YINGJI_RESPONSE_MATERIAL_MAX_BYTES = int(os.environ.get("YINGJI_RESPONSE_MATERIAL_MAX_BYTES",
                                                        str(YINGJI_MAX_UPLOAD_BYTES)))
YINGJI_RESPONSE_DECISION_TASK_HOURS = int(os.environ.get("YINGJI_RESPONSE_DECISION_TASK_HOURS", "24"))
# Response tasks (response/services/tasks.py). Statutory tasks computed from rules: a case added to an event →
# epidemiological investigation by the CDC of the case's area within ``hours`` of the report (24); while a response
# is active → one daily report task per day (Asia/Shanghai) for the lead organisation, due ``hours`` after the day's
# start. Attachments of progress notes: size limit and allowed extensions (content must match the extension).
YINGJI_RESPONSE_STATUTORY_TASKS = {
    "epi_investigation": {"enabled": True, "assignee_kind": "cdc",
                          "hours": int(os.environ.get("YINGJI_RESPONSE_EPI_INVESTIGATION_HOURS", "24"))},
    "daily_report": {"enabled": True, "assignee_kind": "lead",
                     "hours": int(os.environ.get("YINGJI_RESPONSE_DAILY_REPORT_HOURS", "24"))},
}
YINGJI_RESPONSE_ATTACHMENT_MAX_BYTES = int(os.environ.get("YINGJI_RESPONSE_ATTACHMENT_MAX_BYTES",
                                                          str(YINGJI_MAX_UPLOAD_BYTES)))
YINGJI_RESPONSE_ATTACHMENT_TYPES = ["pdf", "png", "jpg", "jpeg", "docx", "xlsx", "pptx", "doc", "xls", "zip", "txt",
                                    "csv"]
