from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autocrm.core.errors import ApplicationError, InvalidCursor
from autocrm.core.jobs import job_retry
from autocrm.core.models import Job
from autocrm.core.pagination import keyset_page
from autocrm.core.scoping import access_object, visible_to
from autocrm.core.search import search_everything
from autocrm.core.selectors import home_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"summary": home_summary(request.user)})


def _single_customer(groups: list[dict[str, Any]]) -> bool:
    return len(groups) == 1 and groups[0]["key"] == "customers" and len(groups[0]["hits"]) == 1


@login_required
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    groups = search_everything(request.user, query)
    # htmx asks for the results only, except when it restores a page from history.
    partial = bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )
    if not partial and _single_customer(groups):
        # Screen pop: a query that finds one customer (a caller's phone number) opens them.
        return redirect(groups[0]["hits"][0].url)
    template = "core/_search_results.html" if partial else "core/search.html"
    context = {"query": query, "groups": groups, "breadcrumbs": [{"label": _("Search")}]}
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    # The log can be long; the list does not show it.
    jobs = visible_to(
        request.user, Job.objects.select_related("created_by").defer("log", "parameters", "error")
    )
    try:
        page = keyset_page(jobs, ordering=("-id",), cursor=request.GET.get("cursor"), limit=50)
    except InvalidCursor as error:
        messages.error(request, str(error.message))
        return redirect("core:job_list")
    context = {"page": page, "breadcrumbs": [{"label": _("Jobs")}]}
    return render(request, "core/job_list.html", context)


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_object(request.user, Job.objects.select_related("created_by"), pk=job_id)
    breadcrumbs = [
        {"label": _("Jobs"), "url": reverse("core:job_list")},
        {"label": job.title},
    ]
    return render(request, "core/job_detail.html", {"job": job, "breadcrumbs": breadcrumbs})


@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_object(request.user, Job.objects.all(), pk=job_id)
    response = render(request, "core/_job_progress.html", {"job": job})
    if job.is_finished:
        # Tell htmx to stop polling and reload the page to show the outcome.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def job_retry_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = access_object(request.user, Job.objects.all(), pk=job_id)
    try:
        job_retry(job=job)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The job was queued again."))
    return redirect("core:job_detail", job_id=job.pk)


@login_required
def job_result(request: HttpRequest, job_id: int) -> FileResponse:
    job = access_object(request.user, Job.objects.exclude(result_file=""), pk=job_id)
    return FileResponse(
        job.result_file.open("rb"),
        as_attachment=True,
        filename=job.result_file.name.rsplit("/", 1)[-1],
    )
