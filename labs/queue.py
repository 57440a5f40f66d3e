"""The run queue is the Run table: the database, not the broker, holds the work.

A task message only wakes a worker up (`wake`); the worker then claims the fairest queued
run with a conditional update (`claim_next`). So a message lost with Redis, or a worker
killed with messages in hand, loses no run: the sweeper (`sweep`, every few seconds in
every worker, see web/celery.py) puts runs whose lease ran out back in the queue and sends
wake-ups for runs that waited too long without one.

Fairness: the learner with the fewest runs in flight goes first, then the oldest run. A
learner who already has a run in flight takes a worker's last free slot only when nobody
else waits for it: that slot is kept for another learner, so one learner's slow runs never
hold every slot of a worker.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import ChannelError

from labs.models import Run

log = logging.getLogger(__name__)

ACTIVE = (Run.COMPILING, Run.RUNNING)
# How many of the oldest queued runs a claim looks at (the fairest of them wins).
QUEUE_WINDOW = 200
# Wake-ups a sweep sends at most, however many runs wait.
MAX_WAKEUPS_PER_SWEEP = 50


def hold_lock(name: str, key: int = 0) -> None:
    """Inside a transaction: waits for, then holds until the end of it, the lock (name, key).

    PostgreSQL: a transaction-level advisory lock. SQLite: every transaction is IMMEDIATE
    (web/settings.py), so it already holds the database's only write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", [name, key])


def node_of(owner: str) -> str:
    """A lease owner is "<worker node>/<process>"; the node is one worker (host) name."""
    return owner.rsplit("/", 1)[0]


def claim(run_id: int, owner: str) -> Run | None:
    """Takes this queued run (whatever the fair order says): for direct callers."""
    return claimed(run_id) if _take(run_id, owner) else None


def claimed(run_id: int) -> Run:
    """A run just taken, with what grading it reads (its submission, lab and learner)."""
    return Run.objects.select_related("submission__lab", "submission__user").get(pk=run_id)


def claim_next(owner: str, slots: int) -> Run | None:
    """Takes the fairest queued run for a worker process of a node with `slots` processes,
    or None when there is none it may take."""
    with transaction.atomic():
        hold_lock("run-queue")
        queued = list(
            Run.objects.filter(status=Run.QUEUED)
            .order_by("queued_at", "pk")
            .values_list("pk", "submission__user_id")[:QUEUE_WINDOW]
        )
        if not queued:
            return None
        in_flight = _in_flight_by_learner()
        busy_here = Run.objects.filter(
            status__in=ACTIVE, lease_owner__startswith=f"{node_of(owner)}/"
        ).count()
        spare_after = slots - busy_here - 1  # free slots left once this process takes one
        for run_id, learner in sorted(queued, key=lambda row: in_flight[row[1]]):
            if in_flight[learner] and spare_after < 1:
                continue  # the last slot is kept for a learner with nothing running
            if _take(run_id, owner):
                return claimed(run_id)
    return None


def _take(run_id: int, owner: str) -> bool:
    now = timezone.now()
    return bool(
        Run.objects.filter(pk=run_id, status=Run.QUEUED).update(
            status=Run.COMPILING,
            attempt=F("attempt") + 1,
            lease_owner=owner,
            lease_expires_at=now + timedelta(seconds=settings.RUN_LEASE_S),
            started_at=now,
        )
    )


def _in_flight_by_learner() -> Counter[int]:
    users = Run.objects.filter(status__in=ACTIVE).values_list("submission__user_id", flat=True)
    return Counter(users)


# --- why a run waits ---------------------------------------------------------------------

WAIT_WORKER, WAIT_QUEUE, WAIT_FAIR_SHARE = "worker", "queue", "fair_share"


@dataclass
class Waiting:
    """Why a queued run has not started: data; the page words it."""

    reason: str  # WAIT_WORKER, WAIT_QUEUE or WAIT_FAIR_SHARE
    ahead: int = 0  # runs that go before it

    def to_event(self, run: Run) -> dict[str, Any]:
        return {
            "event": "waiting",
            "reason": self.reason,
            "ahead": self.ahead,
            "attempt": run.attempt + 1,
        }


def waiting(run: Run) -> Waiting | None:
    """Why this run waits, or None if it is not queued."""
    if run.status != Run.QUEUED:
        return None
    learner = run.submission.user_id
    mine = Run.objects.filter(submission__user_id=learner, status__in=ACTIVE).exclude(pk=run.pk)
    if mine.exists():
        return Waiting(WAIT_FAIR_SHARE)
    ahead = (
        Run.objects.filter(status=Run.QUEUED, queued_at__lt=run.queued_at)
        .exclude(submission__user_id=learner)
        .count()
    )
    return Waiting(WAIT_QUEUE, ahead) if ahead else Waiting(WAIT_WORKER)


# --- wake-ups ----------------------------------------------------------------------------


def wake(run_id: int | None = None) -> bool:
    """Sends one wake-up to the workers; False (logged) when the broker cannot take it now.
    Never blocks long: one connection attempt, no retries (the sweeper sends it later)."""
    from labs.tasks import run_submission

    app = run_submission.app
    try:
        with app.producer_or_acquire() as producer:  # pooled: no connect per wake-up
            run_submission.apply_async(
                args=[run_id], producer=producer, retry=False, queue=app.conf.task_default_queue
            )
    except Exception as exc:  # noqa: BLE001 - any broker failure: the run stays queued
        log.warning("could not send a wake-up for run %s: %s", run_id, exc)
        return False
    return True


def waiting_messages() -> int | None:
    """Wake-ups in the broker's queue not yet taken by a worker; None if it cannot tell."""
    from labs.tasks import run_submission

    app = run_submission.app
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0)
            queue = app.conf.task_default_queue
            try:
                return int(conn.default_channel.queue_declare(queue=queue, passive=True)[1])
            except ChannelError:
                return 0  # Redis drops an empty queue's key: "no such queue" means empty
    except Exception as exc:  # noqa: BLE001
        log.warning("could not read the broker's queue: %s", exc)
        return None


# --- the sweeper -------------------------------------------------------------------------


@dataclass
class SweepReport:
    requeued: int = 0
    failed: int = 0
    woken: int = 0


def sweep() -> SweepReport:
    """Recovers runs whose worker died, then wakes workers for runs that waited too long."""
    report = SweepReport()
    for run in Run.objects.filter(status__in=ACTIVE, lease_expires_at__lt=timezone.now()):
        outcome = recover(run)
        report.requeued += outcome == "requeued"
        report.failed += outcome == "failed"
    report.woken = redispatch()
    return report


def recover(run: Run) -> str | None:
    """A run whose lease ran out: back to the queue, or failed after its last attempt.
    Returns "requeued", "failed", or None (its worker renewed it or finished meanwhile)."""
    from labs import runner

    if run.attempt >= settings.RUN_MAX_ATTEMPTS:
        return "failed" if runner.fail_lost_run(run) else None
    expired = Run.objects.filter(
        pk=run.pk, status__in=ACTIVE, attempt=run.attempt, lease_expires_at__lt=timezone.now()
    )
    if not expired.update(
        status=Run.QUEUED, lease_owner="", lease_expires_at=None, queued_at=timezone.now()
    ):
        return None
    run.refresh_from_db()
    runner.announce_queued(run, retry=True)
    return "requeued"


def redispatch() -> int:
    """Tops the broker's queue up to one wake-up per run queued for a few seconds."""
    cutoff = timezone.now() - timedelta(seconds=settings.RUN_REDISPATCH_AFTER_S)
    overdue = list(
        Run.objects.filter(status=Run.QUEUED, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", flat=True)[:MAX_WAKEUPS_PER_SWEEP]
    )
    if not overdue:
        return 0
    pending = waiting_messages()
    if pending is None:
        return 0  # the broker is down: nothing can be sent now
    sent = 0
    for run_id in overdue[pending:]:
        if not wake(run_id):
            break
        sent += 1
    return sent
