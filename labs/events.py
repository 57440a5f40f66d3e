"""The one place that publishes run events: each is stored first, then sent to the run's group.

Storing first is what lets a page that joins late (or reloads) replay everything in order;
the live message carries the same `seq`, so the consumer can drop what it already replayed.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.db.models import Max

from labs.models import Membership, Run, RunEvent

log = logging.getLogger(__name__)

RUN_EVENT_MESSAGE = "run.event"
COHORT_ACTIVITY_MESSAGE = "cohort.activity"


def run_group(token: str) -> str:
    return f"run.{token}"


def cohort_group(cohort_id: int) -> str:
    return f"cohort.{cohort_id}"


def send_to_group(group: str, message: dict[str, Any]) -> bool:
    """Sends to the channel layer; a Redis outage loses only the live copy, never the event."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception as exc:  # noqa: BLE001 - any layer failure must not fail the run
        from celery.exceptions import SoftTimeLimitExceeded

        if isinstance(exc, SoftTimeLimitExceeded):
            raise  # the worker stopping the task, not the layer failing
        log.warning("could not publish to %s", group, exc_info=True)
        return False
    return True


class RunEventWriter:
    """Appends events to one run. The worker is the only writer while a run is live, so the
    sequence number is kept here; a clash (another writer, e.g. the sweeper) is resolved by
    re-reading the last seq.

    Every event carries the attempt it belongs to (a run whose worker died is graded again):
    a page shows the latest attempt only, and the consumer drops older attempts' events."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.attempt = max(run.attempt, 1)
        self.next_seq = _last_seq(run) + 1

    def publish(self, data: dict[str, Any]) -> RunEvent:
        event = self.store(data)
        message = {"type": RUN_EVENT_MESSAGE, "seq": event.seq, "event": event.data}
        send_to_group(run_group(self.run.token), message)
        return event

    def store(self, data: dict[str, Any]) -> RunEvent:
        """Stores without sending (for events no page can be waiting for live)."""
        return self._store({**data, "attempt": data.get("attempt", self.attempt)})

    def _store(self, data: dict[str, Any]) -> RunEvent:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    event = RunEvent.objects.create(
                        run=self.run, seq=self.next_seq, kind=str(data.get("event", "")), data=data
                    )
                self.next_seq += 1
                return event
            except IntegrityError:
                self.next_seq = _last_seq(self.run) + 1
        raise RuntimeError(f"could not store an event for run {self.run.pk}")


def attempt_of(data: dict[str, Any]) -> int:
    """The attempt an event belongs to (0 for events stored before runs had attempts)."""
    return int(data.get("attempt") or 0)


def publish(run: Run, data: dict[str, Any]) -> RunEvent:
    """Stores and sends one event; for callers outside a live run (submit view, reaper)."""
    return RunEventWriter(run).publish(data)


def _last_seq(run: Run) -> int:
    return RunEvent.objects.filter(run=run).aggregate(m=Max("seq"))["m"] or 0


def publish_cohort_activity(run: Run, data: dict[str, Any] | None = None) -> int:
    """Tells the instructors of every cohort the run's learner belongs to that the run started
    or finished. Live only (the run's rows are the record); returns how many cohorts were told.
    The payload names the learner and the lab, never the code."""
    from labs.classroom import run_activity

    cohort_ids = list(
        Membership.objects.filter(user_id=run.submission.user_id).values_list(
            "cohort_id", flat=True
        )
    )
    if not cohort_ids:
        return 0
    activity = {**run_activity(run), **(data or {})}
    for cohort_id in cohort_ids:
        send_to_group(
            cohort_group(cohort_id), {"type": COHORT_ACTIVITY_MESSAGE, "activity": activity}
        )
    return len(cohort_ids)
