"""Where a run happens: claim it, grade the submission in the sandbox, record every event.

Celery's task (`labs.tasks.run_submission`) is a thin wrapper around `execute_run`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from labs import curriculum, kernels
from labs.events import RunEventWriter, publish, publish_cohort_activity
from labs.models import Progress, Run

log = logging.getLogger(__name__)

# Stages the grader and the sandbox announce, and the run status each one means.
RUNNING_STAGES = {"booting", "loading", "running", "checking"}


def execute_run(run_id: int) -> None:
    if not _claim(run_id):
        log.info("run %s was already claimed or finished; skipping", run_id)
        return
    run = Run.objects.select_related("submission__lab", "submission__user").get(pk=run_id)
    if not run.is_free_form:
        publish_cohort_activity(run)
    writer = RunEventWriter(run)
    # The grader words its checks and summary in the language the run was submitted from.
    with translation.override(run.language or settings.LANGUAGE_CODE):
        try:
            verdict = _grade(run, writer)
        except Exception as exc:
            log.exception("run %s failed inside the platform", run_id)
            reason = translation.gettext("internal error while grading: %(error)s")
            fail_run(run, reason % {"error": exc}, writer)
            return
        _finish(run, verdict, writer)


def _claim(run_id: int) -> bool:
    claimed = Run.objects.filter(pk=run_id, status=Run.QUEUED).update(
        status=Run.COMPILING, started_at=timezone.now()
    )
    return claimed == 1


def _grade(run: Run, writer: RunEventWriter) -> Any:
    from labs.grading import grade

    def on_event(event: dict[str, Any]) -> None:
        writer.publish(event)
        if event.get("event") == "stage" and event.get("stage") in RUNNING_STAGES:
            Run.objects.filter(pk=run.pk, status=Run.COMPILING).update(status=Run.RUNNING)

    submission = run.submission
    if run.is_free_form:
        from labs import live, playground

        relay = live.LiveRelay(run, on_event) if live.is_live(submission.settings) else None
        return playground.run(
            submission.source,
            submission.settings,
            backend=run.backend,
            on_event=relay or on_event,
            control=relay.control if relay else None,
            kernel=run.kernel,
        )
    lab = curriculum.get_lab(submission.lab.slug)
    curriculum.sync_lab_row(lab)  # what the pages show is what is graded
    if run.kernel == kernels.ALL:
        from labs.grading.kernels import grade_on_kernels

        names = kernels.for_run(run.kernel)
        return grade_on_kernels(lab, submission.source, names, run.backend, on_event)
    return grade(
        lab,
        submission.source,
        backend=run.backend,
        on_event=on_event,
        kernel=run.kernel,
        seed=run.seed,
    )


def _finish(run: Run, verdict: Any, writer: RunEventWriter) -> None:
    result = verdict.to_dict()
    if verdict.error:
        fail_run(run, str(verdict.error), writer, verdict=result)
        return
    # a free-form run has no checks: neither passed nor failed
    passed = None if run.is_free_form else bool(verdict.passed)
    with transaction.atomic():
        updated = Run.objects.filter(pk=run.pk, status__in=[Run.COMPILING, Run.RUNNING]).update(
            status=Run.DONE,
            passed=passed,
            stage_reached=str(verdict.stage),
            verdict=result,
            finished_at=timezone.now(),
        )
        if updated and not run.is_free_form:
            record_progress(run, bool(verdict.passed))
    if updated:
        writer.publish({"event": "finished", "status": Run.DONE, "passed": passed})
        run.refresh_from_db()
        if not run.is_free_form:
            publish_cohort_activity(run)


def fail_run(
    run: Run, reason: str, writer: RunEventWriter | None = None, verdict: dict | None = None
) -> bool:
    """Marks an unfinished run failed with a reason the learner can read. Returns whether it
    did (a run that already finished is left alone)."""
    updated = (
        Run.objects.filter(pk=run.pk)
        .exclude(status__in=Run.FINISHED)
        .update(
            status=Run.ERROR,
            passed=False,
            error=reason,
            verdict=verdict or {},
            finished_at=timezone.now(),
        )
    )
    if updated:
        event = {"event": "finished", "status": Run.ERROR, "passed": False, "error": reason}
        (writer.publish(event) if writer else publish(run, event))
        run.refresh_from_db()
        if not run.is_free_form:
            publish_cohort_activity(run)
    return bool(updated)


def record_progress(run: Run, passed: bool) -> None:
    submission = run.submission
    progress, _ = Progress.objects.get_or_create(user=submission.user, lab=submission.lab)
    progress.attempts += 1
    if passed and progress.status != Progress.PASSED:
        progress.status = Progress.PASSED
        progress.passed_at = timezone.now()
    progress.save()


def reap_if_stale(run: Run) -> bool:
    """A run whose worker died never finishes by itself: past the limit, mark it failed."""
    if run.is_finished:
        return False
    limit = timedelta(seconds=settings.RUN_STALE_AFTER_S)
    if timezone.now() - run.created_at < limit:
        return False
    with translation.override(run.language or settings.LANGUAGE_CODE):
        reason = translation.gettext(
            "the run did not finish: the worker stopped or the queue lost it. Please run again."
        )
        return fail_run(run, reason)


def reap_stale_runs() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_STALE_AFTER_S)
    stale = Run.objects.exclude(status__in=Run.FINISHED).filter(created_at__lt=cutoff)
    return sum(_reap(run) for run in stale)


def _reap(run: Run) -> bool:
    with translation.override(run.language or settings.LANGUAGE_CODE):
        return fail_run(run, translation.gettext("the run did not finish: the worker stopped."))
