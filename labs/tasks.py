"""Celery tasks: thin wrappers that take ids and call plain functions."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import translation

from labs import runner
from labs.models import Run

# A run's own sandbox wall limit is far below these; they only catch a stuck worker.
SOFT_TIME_LIMIT_S = 90
TIME_LIMIT_S = 120


class RunTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # type: ignore[override]
        run = Run.objects.filter(pk=args[0]).first() if args else None
        if run is None:
            return
        with translation.override(run.language or settings.LANGUAGE_CODE):
            reason = translation.gettext("the worker failed: %(error)s") % {
                "error": f"{exc.__class__.__name__}: {exc}"
            }
        runner.fail_run(run, reason)


@shared_task(
    base=RunTask,
    name="labs.run_submission",
    soft_time_limit=SOFT_TIME_LIMIT_S,
    time_limit=TIME_LIMIT_S,
)
def run_submission(run_id: int) -> None:
    try:
        runner.execute_run(run_id)
    except SoftTimeLimitExceeded:
        run = Run.objects.get(pk=run_id)
        with translation.override(run.language or settings.LANGUAGE_CODE):
            reason = translation.gettext(
                "the run took longer than %(seconds)d s and was stopped"
            ) % {"seconds": SOFT_TIME_LIMIT_S}
        runner.fail_run(run, reason)
