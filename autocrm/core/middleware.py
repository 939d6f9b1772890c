from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from autocrm.core.channels import Channel, working_through


class RequestChannelMiddleware:
    """Marks everything a request changes as coming from a page or from the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = Channel.API if request.path.startswith("/api/") else Channel.PAGE
        with working_through(channel):
            return self.get_response(request)
