"""Where a run starts: a learner's source becomes a Submission and a queued Run in one
transaction, and a worker is woken only after that transaction commits.

Submitting never waits on the broker: with Redis down the run is stored as queued all the
same, and the sweeper (labs/queue.py) wakes a worker for it once Redis is back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labs import kernels
from labs.authoring import current_version
from labs.models import Lab, Run, Submission
from labs.queue import hold_lock, wake
from labs.runner import announce_queued


class SubmissionRefused(Exception):
    """The submission was not accepted; `message` is for the learner, `status` for HTTP."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def check_source(source: str) -> None:
    """Raises SubmissionRefused for a source too large or empty (any run's, whoever runs it)."""
    size = len(source.encode())
    if size > settings.MAX_SOURCE_BYTES:
        message = _("The source is %(size)d bytes; the limit is %(limit)d bytes.")
        raise SubmissionRefused(message % {"size": size, "limit": settings.MAX_SOURCE_BYTES}, 413)
    if not source.strip():
        raise SubmissionRefused(_("The source is empty."), 400)


def check_limits(user: Any, source: str) -> None:
    """Raises SubmissionRefused. Call it inside the transaction that creates the run, which
    it locks for this learner: two posts at once are counted one after the other."""
    check_source(source)
    hold_lock("submit", user.pk)
    runs = Run.objects.filter(submission__user=user)
    live = runs.exclude(status__in=Run.FINISHED).count()
    if live >= settings.MAX_CONCURRENT_RUNS:
        message = _("You already have %(live)d runs in progress; wait for one to finish.")
        raise SubmissionRefused(message % {"live": live}, 429)
    recent = runs.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).count()
    if recent >= settings.RUNS_PER_MINUTE:
        message = _(
            "You ran %(recent)d times in the last minute (limit %(limit)d); "
            "try again in a few seconds."
        )
        raise SubmissionRefused(
            message % {"recent": recent, "limit": settings.RUNS_PER_MINUTE}, 429
        )


def sandbox_note(lab: Lab) -> str:
    """Why this site cannot run the lab, for the learner (the lab page and catalogue say
    it before anyone presses Run)."""
    message = _(
        "This lab needs the %(needed)s sandbox, with kprobes and fentry/fexit; this site "
        "runs the %(backend)s sandbox, so it cannot run here."
    )
    return message % {"needed": _(" or ").join(lab.backends), "backend": settings.SANDBOX_BACKEND}


def submit(
    user: Any,
    lab: Lab,
    source: str,
    backend: str | None = None,
    language: str | None = None,
    kernel: str | None = None,
) -> Run:
    """A queued Run; `language` (the page's, e.g. "zh-hans") is the one its checks are
    worded in; `kernel` the microVM kernel asked for ("all": every one; None: the default,
    see labs/kernels.py)."""
    backend = backend or settings.SANDBOX_BACKEND
    if not lab.runs_on(backend):
        raise SubmissionRefused(sandbox_note(lab), 409)
    chosen = run_kernel(user, lab, backend, kernel)
    with transaction.atomic():
        check_limits(user, source)
        submission = Submission.objects.create(user=user, lab=lab, source=source)
        run = Run.objects.create(
            submission=submission,
            backend=backend,
            language=language or settings.LANGUAGE_CODE,
            kernel=chosen,
            lab_version=current_version(lab),
        )
        announce_queued(run, new=True)  # stored with the run: one commit
        transaction.on_commit(lambda: wake(run.pk))
    return run


def run_kernel(user: Any, lab: Lab, backend: str, asked: str | None) -> str:
    """The kernel a new run gets (labs/kernels.py); refused when the site lacks it."""
    if backend != "microvm":
        return ""
    try:
        return kernels.choose(user, lab, asked)
    except ValueError:
        message = _("This site offers no kernel %(kernel)s (it offers %(offered)s).")
        offered = ", ".join(kernels.offered())
        raise SubmissionRefused(message % {"kernel": asked, "offered": offered}, 400) from None


def _enqueue(run: Run) -> None:
    """After the commit that created the run (other ways to create one: the playground,
    re-grades): its queued event, and a wake-up."""
    announce_queued(run)
    wake(run.pk)  # False with the broker down: the run waits for the sweeper
