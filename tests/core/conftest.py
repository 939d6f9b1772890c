from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from autocrm.core import jobs
from autocrm.core.jobs import JobReporter
from autocrm.core.models import Job


@pytest.fixture
def english(client: Any, settings: Any) -> None:
    """Pages in English, so assertions can quote the source strings."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def job_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[str, Callable[[Job, JobReporter], None]], str]:
    """Register a job kind for one test only."""

    def register(kind: str, handler: Callable[[Job, JobReporter], None]) -> str:
        monkeypatch.setitem(jobs._handlers, kind, handler)
        return kind

    return register
