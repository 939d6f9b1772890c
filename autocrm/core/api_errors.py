"""One error envelope for the whole API: ``{"code", "message", "details"}``, translated."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled

from autocrm.core.errors import ApplicationError, ErrorCode

logger = logging.getLogger("autocrm.api")

# Translated messages for the pydantic error types users meet most often.
_PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "string_too_long": lambda: _("This value is too long."),
    "string_too_short": lambda: _("This value is too short."),
    "int_parsing": lambda: _("Enter a whole number."),
    "bool_parsing": lambda: _("Enter true or false."),
    "date_from_datetime_parsing": lambda: _("Enter a valid date (YYYY-MM-DD)."),
    "date_parsing": lambda: _("Enter a valid date (YYYY-MM-DD)."),
    "enum": lambda: _("Select one of the allowed values."),
    "literal_error": lambda: _("Select one of the allowed values."),
    "json_invalid": lambda: _("The request body is not valid JSON."),
    "extra_forbidden": lambda: _("This field is not allowed."),
    # Django's own message, translated by Django's catalogue.
    "null_characters": lambda: str(ProhibitNullCharactersValidator.message),
}


def envelope(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: Any,
    details: Any = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), "details": details}, status=status
    )


def _pydantic_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        translate = _PYDANTIC_MESSAGES.get(error.get("type", ""))
        message = translate() if translate else error.get("msg", "")
        details.append({"field": ".".join(location), "message": message})
    return details


def django_validation_details(error: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
        return envelope(
            api,
            request,
            status=422,
            code=ErrorCode.VALIDATION,
            message=_("Some fields are not valid."),
            details=_pydantic_details(error.errors),
        )

    @api.exception_handler(DjangoValidationError)
    def invalid_record(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
        return envelope(
            api,
            request,
            status=422,
            code=ErrorCode.VALIDATION,
            message=_("Some fields are not valid."),
            details=django_validation_details(error),
        )

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def unstorable_value(request: HttpRequest, error: Exception) -> HttpResponse:
        # A value the database cannot store or compare (NUL in text on PostgreSQL, an integer
        # beyond 64 bits on SQLite) that no validation stopped earlier: the request's fault.
        logger.warning("value the database refused on %s: %s", request.path, error)
        return envelope(
            api,
            request,
            status=422,
            code=ErrorCode.VALIDATION,
            message=_("Some fields are not valid."),
        )

    @api.exception_handler(ApplicationError)
    def refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
        return envelope(
            api,
            request,
            status=error.status,
            code=error.code,
            message=error.message,
            details=error.details,
        )

    @api.exception_handler(AuthenticationError)
    def not_authenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        return envelope(
            api,
            request,
            status=401,
            code=ErrorCode.NOT_AUTHENTICATED,
            message=_("Log in or send a valid API token (Authorization: Bearer ...)."),
        )

    def not_found(request: HttpRequest, error: Any) -> HttpResponse:
        return envelope(
            api,
            request,
            status=404,
            code=ErrorCode.NOT_FOUND,
            message=_("Not found."),
        )

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)

    @api.exception_handler(NinjaThrottled)
    def throttled(request: HttpRequest, error: NinjaThrottled) -> HttpResponse:
        return envelope(
            api,
            request,
            status=429,
            code=ErrorCode.THROTTLED,
            message=_("Too many requests; try again later."),
        )

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
        logger.exception("unexpected API error on %s", request.path)
        return envelope(
            api,
            request,
            status=500,
            code=ErrorCode.SERVER_ERROR,
            message=_("Something went wrong on our side; the error was logged."),
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        if error.status_code == 400 and isinstance(error.__cause__, ValueError):
            # django-ninja's answer to a body its parser could not read (not JSON, not UTF-8).
            return envelope(
                api,
                request,
                status=400,
                code=ErrorCode.VALIDATION,
                message=_("The request body is not valid JSON."),
            )
        code = {
            401: ErrorCode.NOT_AUTHENTICATED,
            403: ErrorCode.PERMISSION_DENIED,
            404: ErrorCode.NOT_FOUND,
            409: ErrorCode.CONFLICT,
        }.get(error.status_code, ErrorCode.VALIDATION)
        return envelope(api, request, status=error.status_code, code=code, message=str(error))
