from __future__ import annotations

from django_tasks import task

from autocrm.core.channels import Channel, working_through
from autocrm.core.jobs import job_run


@task()
def run_job(job_id: int) -> None:
    with working_through(Channel.TASK):
        job_run(job_id)
