from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from autocrm.core.api_schemas import answers
from autocrm.core.jobs import job_retry
from autocrm.core.models import Job
from autocrm.core.scoping import access_object

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    percent: int
    progress_done: int
    progress_total: int
    error: str
    attempts: int
    result_url: str | None

    @staticmethod
    def resolve_title(job: Job) -> str:
        return job.display_title

    @staticmethod
    def resolve_result_url(job: Job) -> str | None:
        from django.urls import reverse

        return reverse("core:job_result", args=[job.pk]) if job.result_file else None


@router.get(
    "/jobs/{job_id}",
    response=answers({200: JobOut}, 404, 422),
    summary="A background job's status and progress",
)
def job_detail(request: HttpRequest, job_id: int) -> Job:
    return access_object(request.user, Job.objects.all(), pk=job_id)


@router.post(
    "/jobs/{job_id}/retry",
    response=answers({200: JobOut}, 400, 404, 422),
    summary="Run a failed job again",
)
def job_retry_endpoint(request: HttpRequest, job_id: int) -> Job:
    job = access_object(request.user, Job.objects.all(), pk=job_id)
    return job_retry(job=job)
