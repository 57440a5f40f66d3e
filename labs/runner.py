"""Where a run happens: claim it, grade the submission in the sandbox, record every event.

Celery's task (`labs.tasks.run_submission`) is a thin wrapper around `execute_next`; the
queue itself (claims, fairness, the sweeper) is labs/queue.py. A worker holds a lease on
the run it grades and renews it while it grades; every write of an attempt's outcome is
conditional on the attempt still being the run's current one, so a worker that lost its
lease (it was too slow, another took the run over) changes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone, translation

from labs import curriculum, kernels, queue
from labs.events import RunEventWriter, publish, publish_cohort_activity, wait_sent
from labs.grading import words
from labs.models import Progress, Run, Submission

log = logging.getLogger(__name__)

# Stages the grader and the sandbox announce, and the run status each one means.
RUNNING_STAGES = {"booting", "loading", "running", "checking"}


def default_owner() -> str:
    return f"{socket.gethostname()}/{os.getpid()}"


def execute_next(owner: str, slots: int) -> int | None:
    """Claims the fairest queued run this process may take and grades it; its id, or None."""
    run = queue.claim_next(owner, slots)
    if run is None:
        return None
    _execute(run)
    return run.pk


def execute_run(run_id: int, owner: str | None = None) -> None:
    """Claims and grades this run (tests, the bench, tools); skips one already taken."""
    run = queue.claim(run_id, owner or default_owner())
    if run is None:
        log.info("run %s was already claimed or finished; skipping", run_id)
        return
    _execute(run)


def _execute(run: Run) -> None:
    """Grades a run just claimed (queue.claimed: its submission, lab and learner read)."""
    if not run.is_free_form:
        publish_cohort_activity(run)
    # the grading thread hands its events over and goes on (labs/events.py); the run is
    # marked running in the transaction that stores its first running stage, so a page
    # that reads it running finds that stage among its events
    writer = RunEventWriter(run, background=True, on_stored=_mark_running(run))
    # The grader words its checks and summary in the language the run was submitted from.
    with translation.override(run.language or settings.LANGUAGE_CODE), Lease(run):
        try:
            try:
                verdict = _grade(run, writer)
            except Exception as exc:
                if _is_time_limit(exc):
                    raise  # Celery's soft time limit: the task says so (labs/tasks.py)
                log.exception("run %s failed inside the platform", run.pk)
                fail_run(run, words.crash(words.INTERNAL, exc), writer)
                return
            _finish(run, verdict, writer)
        finally:
            _close(writer)


def _close(writer: RunEventWriter) -> None:
    """Ends the run's event thread; its live copies get a moment to leave (the worker may
    stop after this task)."""
    try:
        writer.close()
    except Exception:  # noqa: BLE001 - the run's outcome is stored already, or failed
        log.warning("run %s: events not stored", writer.run.pk, exc_info=True)
    wait_sent()


def _is_time_limit(exc: BaseException) -> bool:
    from celery.exceptions import SoftTimeLimitExceeded

    return isinstance(exc, SoftTimeLimitExceeded)


# A busy machine may hold a renewal back for a while: several tries before the lease ends.
RENEWALS_PER_LEASE = 5


class Lease:
    """Renews the run's lease (RENEWALS_PER_LEASE times per RUN_LEASE_S) while the block
    runs, from a thread of its own (the grading thread may sit in the sandbox for long)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.stop = threading.Event()
        self.lost = False
        self.thread = threading.Thread(target=self._renew_until_stopped, daemon=True)

    def __enter__(self) -> Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)

    def _renew_until_stopped(self) -> None:
        try:
            while not self.stop.wait(settings.RUN_LEASE_S / RENEWALS_PER_LEASE):
                try:
                    renewed = self.renew()
                except Exception:  # noqa: BLE001 - a busy database: try again next time
                    log.warning("run %s: could not renew its lease", self.run.pk, exc_info=True)
                    continue
                if not renewed:
                    self.lost = True
                    log.warning("run %s: lease lost (attempt %s)", self.run.pk, self.run.attempt)
                    return
        finally:
            connection.close()

    def renew(self) -> bool:
        until = timezone.now() + timedelta(seconds=settings.RUN_LEASE_S)
        return bool(
            current(self.run)
            .filter(lease_owner=self.run.lease_owner)
            .update(lease_expires_at=until)
        )


def _is_running_stage(event: dict[str, Any]) -> bool:
    return event.get("event") == "stage" and event.get("stage") in RUNNING_STAGES


def _mark_running(run: Run) -> Callable[[list[dict[str, Any]]], None]:
    """For the writer's thread: once a running stage is among the events it stores, the run
    is running (compiling until then)."""
    marked = [False]

    def on_stored(batch: list[dict[str, Any]]) -> None:
        if not marked[0] and any(_is_running_stage(event) for event in batch):
            marked[0] = True
            current(run).filter(status=Run.COMPILING).update(status=Run.RUNNING)

    return on_stored


def current(run: Run) -> Any:
    """The run, as long as this attempt holds it: being graded, and not taken over (a run
    whose lease ran out goes back to queued, and its next claim counts another attempt)."""
    return Run.objects.filter(pk=run.pk, attempt=run.attempt, status__in=queue.ACTIVE)


def _grade(run: Run, writer: RunEventWriter) -> Any:
    from labs.grading import grade

    on_event = writer.publish
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
    lab = _lab_spec(run)
    if run.kernel == kernels.ALL:
        from labs.grading.kernels import grade_on_kernels

        names = kernels.for_run(run.kernel)
        return grade_on_kernels(lab, submission.source, names, run.backend, on_event, seed=run.seed)
    return grade(
        lab,
        submission.source,
        backend=run.backend,
        on_event=on_event,
        kernel=run.kernel,
        seed=run.seed,
        wall_s=settings.RUN_WALL_S,
    )


def _lab_spec(run: Run) -> Any:
    """An authored lab's run is graded against the version it records; a curriculum
    lab's against its folder in CONTENT_DIR."""
    if run.lab_version_id is not None:
        from labs.authoring import spec_for_version

        return spec_for_version(run.lab_version)
    lab = curriculum.get_lab(run.submission.lab.slug)
    curriculum.sync_lab_row(lab)  # what the pages show is what is graded
    return lab


def _counts_as_attempt(run: Run) -> bool:
    return not run.is_free_form and run.submission.via != Submission.SELF_CHECK


def _finish(run: Run, verdict: Any, writer: RunEventWriter) -> None:
    result = verdict.to_dict()
    if verdict.error:
        fail_run(run, verdict.error, writer, verdict=result)
        return
    # a free-form run has no checks: neither passed nor failed
    passed = None if run.is_free_form else bool(verdict.passed)
    writer.flush()  # every event before the verdict is stored before it
    with transaction.atomic():
        updated = current(run).update(
            status=Run.DONE,
            passed=passed,
            stage_reached=str(verdict.stage),
            verdict=result,
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
        if updated and _counts_as_attempt(run):
            record_progress(run, bool(verdict.passed))
    if updated:
        writer.publish({"event": "finished", "status": Run.DONE, "passed": passed})
        run.refresh_from_db()
        if not run.is_free_form:
            publish_cohort_activity(run)
    _wake_if_waiting()


def _wake_if_waiting() -> None:
    """A slot just came free: a run kept waiting for fairness can go now."""
    if Run.objects.filter(status=Run.QUEUED).exists():
        queue.wake()


def fail_run(
    run: Run,
    reason: dict[str, Any],
    writer: RunEventWriter | None = None,
    verdict: dict | None = None,
) -> bool:
    """Marks an unfinished run failed, with why as data (a words.failure, worded by each
    reader in their language). Returns whether it did (a run that already finished, or that
    another attempt took over, is left alone)."""
    if writer is not None:
        try:
            writer.flush()
        except Exception:  # noqa: BLE001 - its events could not be stored: say why all the same
            log.warning("run %s: events not stored", run.pk, exc_info=True)
            writer = None
    updated = current(run).update(
        status=Run.ERROR,
        passed=False,
        failure=reason,
        error="",
        verdict=verdict or {},
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    if updated:
        event = {"event": "finished", "status": Run.ERROR, "passed": False, "error": reason}
        (writer.publish(event) if writer else publish(run, event))
        run.refresh_from_db()
        if not run.is_free_form:
            publish_cohort_activity(run)
    return bool(updated)


def fail_lost_run(run: Run) -> bool:
    """A run whose worker stopped on its last attempt: failed, with a reason."""
    reason = words.failure(words.WORKER_LOST, attempts=run.attempt)
    expired = current(run).filter(lease_expires_at__lt=timezone.now())
    return expired.exists() and fail_run(run, reason)


def announce_queued(run: Run, retry: bool = False, new: bool = False) -> None:
    """The event saying the run (again) waits for a worker, for its next attempt. A new run's
    is stored only: its page has not opened its socket yet, and submitting must not wait on
    a Redis that is down. A run queued again is announced to the page watching it. new: the
    run was just created (in this transaction), so it has no event yet."""
    event: dict[str, Any] = {"event": "stage", "stage": "queued", "attempt": run.attempt + 1}
    writer = RunEventWriter(run, first_seq=1 if new else None)
    if retry:
        writer.publish({**event, "retry": True, "max_attempts": settings.RUN_MAX_ATTEMPTS})
    else:
        writer.store(event)


def record_progress(run: Run, passed: bool) -> None:
    """Counts the attempt in the database (F(): two runs finishing together both count), in
    one statement once the learner's row exists."""
    submission = run.submission
    changes: dict[str, Any] = {}
    # a re-grade against a new version is not the learner trying again
    if not run.is_regrade:
        changes["attempts"] = F("attempts") + 1
    if passed:  # the first pass is the one remembered
        changes["status"] = Value(Progress.PASSED)
        changes["passed_at"] = Case(
            When(status=Progress.PASSED, then=F("passed_at")), default=Value(timezone.now())
        )
    mine = Progress.objects.filter(user_id=submission.user_id, lab_id=submission.lab_id)
    if not changes or not mine.update(**changes):
        Progress.objects.get_or_create(user_id=submission.user_id, lab_id=submission.lab_id)
        if changes:
            mine.update(**changes)


def reap_if_stale(run: Run) -> bool:
    """The sweeper's rule for one run, when its page is shown: a run whose lease ran out
    goes back to the queue, or fails after its last attempt. Whether it changed."""
    if run.is_finished or run.lease_expires_at is None:
        return False
    if run.lease_expires_at >= timezone.now():
        return False
    return queue.recover(run) is not None
