"""Typed configuration read from environment variables, in one place.

The embedded default (SQLite, local memory cache, database task queue) needs no variable at all.
``AUTOCRM_PROFILE=production`` turns on the deployment profile, which refuses to start without the
values a real installation must provide.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_DEVELOPMENT_SECRET = "django-insecure-autocrm-development-only-key-do-not-use-in-production"


def _text(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, default: bool) -> bool:
    raw = _text(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _integer(name: str, default: int) -> int:
    raw = _text(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from error


def _list(name: str, default: list[str]) -> list[str]:
    raw = _text(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Config:
    profile: str
    debug: bool
    secret_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database_url: str
    redis_url: str
    task_backend: str
    email_url_host: str
    email_port: int
    email_user: str
    email_password: str
    email_use_tls: bool
    default_from_email: str
    time_zone: str
    var_dir: Path
    static_root: Path
    media_root: Path
    login_failure_limit: int
    login_cooloff_minutes: int
    identifier_key: str
    oem_wmis: list[str]

    @property
    def is_production(self) -> bool:
        return self.profile == "production"


def load() -> Config:
    profile = _text("AUTOCRM_PROFILE", "development")
    if profile not in {"development", "production"}:
        raise ImproperlyConfigured("AUTOCRM_PROFILE must be 'development' or 'production'")
    production = profile == "production"
    var_dir = Path(_text("AUTOCRM_VAR_DIR") or BASE_DIR / "var")
    secret_key = _text("SECRET_KEY")
    if production and (not secret_key or len(secret_key) < 50):
        raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 characters in production")
    if production and not _text("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
    identifier_key = _text("IDENTIFIER_KEY")
    if production and len(identifier_key) < 32:
        raise ImproperlyConfigured(
            "IDENTIFIER_KEY must be set to at least 32 characters in production"
        )
    oem_wmis = [wmi.upper() for wmi in _list("OEM_WMIS", ["LSG", "LSJ"])]
    if any(len(wmi) != 3 or not wmi.isalnum() for wmi in oem_wmis):
        raise ImproperlyConfigured("OEM_WMIS must be 3-character manufacturer codes, e.g. LSG,LSJ")
    task_backend = _text("TASK_BACKEND", "database")
    if task_backend not in {"database", "rq", "immediate", "dummy"}:
        raise ImproperlyConfigured("TASK_BACKEND must be database, rq, immediate or dummy")
    if task_backend == "rq" and not _text("REDIS_URL"):
        raise ImproperlyConfigured("TASK_BACKEND=rq needs REDIS_URL")
    return Config(
        profile=profile,
        debug=_flag("DEBUG", not production),
        secret_key=secret_key or _DEVELOPMENT_SECRET,
        allowed_hosts=_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]),
        csrf_trusted_origins=_list("CSRF_TRUSTED_ORIGINS", []),
        database_url=_text("DATABASE_URL") or f"sqlite:///{var_dir / 'autocrm.sqlite3'}",
        redis_url=_text("REDIS_URL"),
        task_backend=task_backend,
        email_url_host=_text("EMAIL_HOST"),
        email_port=_integer("EMAIL_PORT", 25),
        email_user=_text("EMAIL_HOST_USER"),
        email_password=_text("EMAIL_HOST_PASSWORD"),
        email_use_tls=_flag("EMAIL_USE_TLS", False),
        default_from_email=_text("DEFAULT_FROM_EMAIL", "autocrm <noreply@localhost>"),
        time_zone=_text("TIME_ZONE", "Asia/Shanghai"),
        var_dir=var_dir,
        static_root=Path(_text("STATIC_ROOT") or var_dir / "static"),
        media_root=Path(_text("MEDIA_ROOT") or var_dir / "media"),
        login_failure_limit=_integer("LOGIN_FAILURE_LIMIT", 5),
        login_cooloff_minutes=_integer("LOGIN_COOLOFF_MINUTES", 15),
        # Development derives the key from the (insecure) development secret.
        identifier_key=identifier_key or f"identifiers:{secret_key or _DEVELOPMENT_SECRET}",
        oem_wmis=oem_wmis,
    )
