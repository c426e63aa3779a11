"""Submitting background jobs (后台任务) — the one way callers start a Celery task.

With ``CELERY_BROKER_URL`` set, :func:`submit` puts the job on the broker (Redis) and returns at once; a worker
(``celery -A yingji worker``) runs it. Without a broker Celery runs "eagerly": the job runs in this process
before :func:`submit` returns, so the one-command demo needs no Redis. Callers treat both the same::

    job = jobs.submit(tasks.import_file_job, "organisations", user.pk, name, content_b64, False)
    if job.ready:            # always true in-process; with a broker, poll jobs.status(job.id)
        report = job.result

Eager results are kept in the Django cache for an hour under the job's id, so :func:`status` answers for them
the way it answers for a worker's results (which live in the Celery result backend).
"""

from dataclasses import dataclass
from typing import Any

from celery.exceptions import TimeoutError as NotYet
from celery.result import AsyncResult
from django.core.cache import cache

from yingji.celery import app

EAGER_RESULT_SECONDS = 3600
_CACHE_PREFIX = "yingji:job:"


@dataclass
class Job:
    id: str
    state: str  # PENDING, STARTED, PROGRESS, SUCCESS, FAILURE (Celery's states)
    result: Any = None  # the task's return value once it succeeded
    eager: bool = False  # ran in this process (no broker)
    error: str = ""  # the failure, once it failed

    @property
    def ready(self) -> bool:
        return self.state in ("SUCCESS", "FAILURE")

    def as_dict(self) -> dict:
        return {"id": self.id, "state": self.state, "result": self.result, "eager": self.eager, "error": self.error}


def runs_in_process() -> bool:
    """True when no broker is configured and jobs run inside the caller's process."""
    return bool(app.conf.task_always_eager)


def submit(task, *args, **kwargs) -> Job:
    """Start ``task`` with these (JSON-serialisable) arguments; see the module docstring."""
    result = task.apply_async(args=args, kwargs=kwargs)
    if result.ready() and runs_in_process():
        # Eager: the job has run. A failure propagates (CELERY_TASK_EAGER_PROPAGATES), as a direct call would.
        job = Job(id=result.id, state=result.state, result=result.result, eager=True)
        cache.set(_CACHE_PREFIX + job.id, job.as_dict(), EAGER_RESULT_SECONDS)
        return job
    return Job(id=result.id, state=result.state)


def status(job_id: str, *, wait: float | None = None) -> Job:
    """Where a submitted job stands; with ``wait`` (seconds), wait up to that long for it to finish."""
    kept = cache.get(_CACHE_PREFIX + job_id)
    if kept is not None:
        return Job(**kept)
    result = AsyncResult(job_id, app=app)
    if wait:
        try:
            result.get(timeout=wait, propagate=False)
        except NotYet:
            pass
    state = result.state
    if state == "SUCCESS":
        return Job(id=job_id, state=state, result=result.result)
    if state == "FAILURE":
        return Job(id=job_id, state=state, error=repr(result.result))
    progress = result.info if state == "PROGRESS" and isinstance(result.info, dict) else None
    return Job(id=job_id, state=state, result=progress)
