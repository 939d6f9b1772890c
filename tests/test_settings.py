"""Settings come from environment variables (autocrm/env.py); the production profile refuses to
start without its required values and passes Django's deployment checks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from autocrm import env

ROOT = Path(__file__).resolve().parent.parent
# Every variable autocrm/env.py reads; the subprocesses start from none of them.
CONFIG_VARIABLES = {
    "AUTOCRM_PROFILE", "AUTOCRM_VAR_DIR", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "REDIS_URL", "TASK_BACKEND", "EMAIL_HOST",
    "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL", "TIME_ZONE", "STATIC_ROOT", "MEDIA_ROOT", "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES", "IDENTIFIER_KEY", "OEM_WMIS",
}  # fmt: skip
SECRET = "x7Jq2mVb9ZcLpW4rT8nYd3KfHs6GaE1uQoR5iXeNtMwBvCzAyDlUhPgSjOkFI0-_"
PRINT_DATABASE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)


def _run(args: list[str], tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in CONFIG_VARIABLES and not name.startswith("DJANGO_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="autocrm.settings", AUTOCRM_VAR_DIR=str(tmp_path / "var"),
        **variables,
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def _production(**extra: str) -> dict[str, str]:
    return {"AUTOCRM_PROFILE": "production", "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "crm.example.com", "IDENTIFIER_KEY": "k" * 40, **extra}  # fmt: skip


def test_production_profile_passes_the_deployment_checks(tmp_path: Path) -> None:
    assert len(SECRET) == 64
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **_production()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_static_files_collect_with_hashed_names(tmp_path: Path) -> None:
    static_root = tmp_path / "static"
    result = _run(
        ["manage.py", "collectstatic", "--no-input"], tmp_path,
        **_production(STATIC_ROOT=str(static_root)),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/tabler/tabler.min.css", "vendor/htmx/htmx.min.js", "autocrm/autocrm.css"):
        assert (static_root / manifest[name]).is_file()


def test_the_rq_task_backend_needs_redis(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("TASK_BACKEND", "rq")
    with pytest.raises(ImproperlyConfigured, match="TASK_BACKEND=rq needs REDIS_URL"):
        env.load()
    clean_environment.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert env.load().task_backend == "rq"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set to at least 50 characters in production"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY must be set to at least 50 characters"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set in production"),
        ({"IDENTIFIER_KEY": ""}, "IDENTIFIER_KEY must be set to at least 32 characters"),
        ({"OEM_WMIS": "LSGX"}, "OEM_WMIS must be 3-character manufacturer codes"),
    ],
)
def test_production_profile_refuses_to_start_without_required_values(
    tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    result = _run(["manage.py", "check"], tmp_path, **_production(**variables))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def _database(tmp_path: Path, **variables: str) -> dict[str, Any]:
    result = _run(["-c", PRINT_DATABASE], tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    database: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return database


def test_without_database_url_the_embedded_sqlite_database_is_used(tmp_path: Path) -> None:
    database = _database(tmp_path)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "autocrm.sqlite3")
    assert database["CONN_MAX_AGE"] == 0
    assert "PRAGMA journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_postgresql_database_url_is_parsed(tmp_path: Path) -> None:
    database = _database(tmp_path, DATABASE_URL="postgres://crm:s3cret@db.internal:5433/autocrm")
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "autocrm",
        "crm",
        "s3cret",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", 5433)
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True


def test_a_sqlite_database_url_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.sqlite3"
    database = _database(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(path)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTOCRM_VAR_DIR", str(tmp_path))
    return monkeypatch


def test_the_embedded_default_needs_no_variable(clean_environment: pytest.MonkeyPatch) -> None:
    config = env.load()
    assert config.profile == "development"
    assert config.debug is True
    assert config.is_production is False
    assert config.task_backend == "database"
    assert config.redis_url == ""
    assert config.time_zone == "Asia/Shanghai"


def test_values_are_read_and_typed(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("ALLOWED_HOSTS", " crm.example.com, .example.org ,")
    clean_environment.setenv("EMAIL_PORT", "587")
    clean_environment.setenv("EMAIL_USE_TLS", "yes")
    clean_environment.setenv("DEBUG", "off")
    config = env.load()
    assert config.allowed_hosts == ["crm.example.com", ".example.org"]
    assert config.email_port == 587
    assert config.email_use_tls is True
    assert config.debug is False


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("AUTOCRM_PROFILE", "staging", "AUTOCRM_PROFILE must be"),
        ("DEBUG", "maybe", "DEBUG must be true or false"),
        ("EMAIL_PORT", "smtp", "EMAIL_PORT must be a whole number"),
    ],
)
def test_invalid_values_are_refused(
    clean_environment: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    clean_environment.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        env.load()


def test_env_example_documents_every_variable_env_py_reads() -> None:
    source = (ROOT / "autocrm" / "env.py").read_text()
    read = set(re.findall(r'_(?:text|flag|integer|list)\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^#?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "env.py reads no variables?"
    assert read - documented == set()
    assert read <= CONFIG_VARIABLES
