"""The application's error hierarchy; one handler maps each to the API's error envelope."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    NOT_AUTHENTICATED = "not_authenticated"
    PERMISSION_DENIED = "permission_denied"
    CONFLICT = "conflict"
    INVALID_CURSOR = "invalid_cursor"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"


class ApplicationError(Exception):
    """A business rule refused the request; ``message`` is shown to the user as is."""

    code: ErrorCode = ErrorCode.VALIDATION
    status: int = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, details: Any = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(str(self.message))


class InvalidCursor(ApplicationError):
    code = ErrorCode.INVALID_CURSOR
    default_message = _("The page cursor is invalid; start again from the first page.")


class StaleRecord(ApplicationError):
    """Someone else saved the record since it was opened; nothing was overwritten."""

    code = ErrorCode.CONFLICT
    status = 409
    default_message = _(
        "Someone else changed this record after you opened it. Reload it to see their changes; "
        "nothing was overwritten."
    )


class PermissionDenied(ApplicationError):
    code = ErrorCode.PERMISSION_DENIED
    status = 403
    default_message = _("Your role may not do this.")
