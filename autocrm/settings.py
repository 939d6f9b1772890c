"""Django settings for autocrm, driven by ``autocrm.env`` (environment variables)."""

from __future__ import annotations

from datetime import timedelta

import dj_database_url
from django.utils.translation import gettext_lazy as _

from autocrm import env

CONFIG = env.load()
BASE_DIR = env.BASE_DIR
CONFIG.var_dir.mkdir(parents=True, exist_ok=True)
CONFIG.static_root.mkdir(parents=True, exist_ok=True)

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "axes",
    "autocrm.core",
    "autocrm.accounts",
    "autocrm.network",
    "autocrm.customers",
    "autocrm.vehicles",
    "autocrm.activities",
    "autocrm.sales",
    "autocrm.orders",
    "autocrm.commissions",
    "autocrm.imports",
    "autocrm.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "autocrm.core.middleware.RequestChannelMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "autocrm.urls"
WSGI_APPLICATION = "autocrm.wsgi.application"
ASGI_APPLICATION = "autocrm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "autocrm" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "autocrm.core.navigation.navigation",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(CONFIG.database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Statements sent through core.prepared.prepared_cursor are prepared after 5 runs on a
    # connection; the ORM binds on the client and never prepares.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Repeated wrong logins for one user name from one address are locked out for a while.
AXES_FAILURE_LIMIT = CONFIG.login_failure_limit
AXES_COOLOFF_TIME = timedelta(minutes=CONFIG.login_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "autocrm" / "locale"]
LANGUAGE_COOKIE_NAME = "autocrm_language"
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CONFIG.static_root
STATICFILES_DIRS = [BASE_DIR / "autocrm" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "autocrm.core.staticfinders.NodePackageFinder",
]
# Front-end packages installed by npm from package-lock.json, served under static/vendor/.
NODE_MODULES_DIR = BASE_DIR / "node_modules"
NODE_PACKAGE_FILES = {
    "vendor/tabler/tabler.min.css": "@tabler/core/dist/css/tabler.min.css",
    "vendor/tabler/tabler.min.js": "@tabler/core/dist/js/tabler.min.js",
    # The minified files name their source maps; the manifest storage needs them at collectstatic.
    "vendor/tabler/tabler.min.css.map": "@tabler/core/dist/css/tabler.min.css.map",
    "vendor/tabler/tabler.min.js.map": "@tabler/core/dist/js/tabler.min.js.map",
    "vendor/htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vendor/echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CONFIG.is_production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = CONFIG.media_root
MEDIA_URL = "media/"

if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks: the database queue by default (worker: manage.py db_worker); Redis through
# RQ at scale (TASK_BACKEND=rq, worker: manage.py rqworker --job-class django_tasks_rq.Job).
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[CONFIG.task_backend],
        "QUEUES": ["default"],
    }
}
RQ_QUEUES = {"default": {"URL": CONFIG.redis_url or "redis://127.0.0.1:6379/0"}}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if CONFIG.email_url_host
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = CONFIG.email_url_host or "localhost"
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_user
EMAIL_HOST_PASSWORD = CONFIG.email_password
EMAIL_USE_TLS = CONFIG.email_use_tls
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if CONFIG.is_production:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"autocrm": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# The OEM's own world manufacturer identifiers: their VINs must carry a correct check digit.
AUTOCRM_OEM_WMIS = CONFIG.oem_wmis
# Key for encrypting personal ID numbers and for their keyed search hashes.
AUTOCRM_IDENTIFIER_KEY = CONFIG.identifier_key
AUTOCRM_DEFAULT_PHONE_REGION = "CN"
AUTOCRM_API_PAGE_SIZE = 50
AUTOCRM_API_MAX_PAGE_SIZE = 500
