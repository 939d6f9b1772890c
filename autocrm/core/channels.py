"""Which channel a change arrives through: page, API, import, task or system.

The audit trail records it. Requests set it in middleware; imports and tasks wrap their work in
``working_through(Channel.IMPORT)`` and so on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PAGE = "page", _("Web page")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    TASK = "task", _("Background task")
    SYSTEM = "system", _("System")


_current_channel: ContextVar[str] = ContextVar("autocrm_channel", default=Channel.SYSTEM)


def current_channel() -> str:
    return _current_channel.get()


@contextmanager
def working_through(channel: str) -> Iterator[None]:
    token = _current_channel.set(channel)
    try:
        yield
    finally:
        _current_channel.reset(token)
