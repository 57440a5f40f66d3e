"""The one place that publishes run events: each is stored first, then sent to the run's group.

Storing first is what lets a page that joins late (or reloads) replay everything in order;
the live message carries the same `seq`, so the consumer can drop what it already replayed.

The worker grading a run does not wait for either: its writer hands the events to a thread
of the run's own (`_Outbox`) that stores whatever has arrived in one transaction and then
passes them to the process's sender (`_Sender`), one event loop that sends every live copy
in order over connections it keeps. The run's verdict is stored only once every event
before it is (`RunEventWriter.flush`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from channels.layers import get_channel_layer
from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from labs.models import Membership, Run, RunEvent

log = logging.getLogger(__name__)

RUN_EVENT_MESSAGE = "run.event"
COHORT_ACTIVITY_MESSAGE = "cohort.activity"
# Live copies a process holds at most while Redis does not take them (then the oldest go).
MAX_UNSENT = 10_000
# How long a worker waits, after a run, for its live copies to leave (Redis may be down).
SEND_WAIT_S = 2.0


def run_group(token: str) -> str:
    return f"run.{token}"


def cohort_group(cohort_id: int) -> str:
    return f"cohort.{cohort_id}"


def send_to_group(group: str, message: dict[str, Any]) -> None:
    """Sends to the channel layer, in the order of the calls, without waiting: a Redis outage
    loses only the live copy, never the event."""
    _sender().send(group, message)


def wait_sent(timeout: float = SEND_WAIT_S) -> bool:
    """Waits until every live copy handed over so far has been sent (or failed)."""
    return _sender().wait_idle(timeout)


class _Sender:
    """An event loop on a thread of its own sending channel-layer messages in order.

    async_to_sync(group_send) started a thread, an event loop and with it a new Redis
    connection for every message: ~3 ms each, on the grading thread. This loop lives as
    long as the process and keeps its connections; callers never wait for it."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.unsent = 0
        self.dropped = 0
        self.failing = False  # the last send failed: Redis is down, said once already
        self.idle = threading.Condition()
        self.started = threading.Event()
        threading.Thread(target=self._run, name="bpflab-sender", daemon=True).start()
        self.started.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.loop.create_task(self._drain())
        self.started.set()
        self.loop.run_forever()

    def send(self, group: str, message: dict[str, Any]) -> None:
        with self.idle:
            if self.unsent >= MAX_UNSENT:
                self.dropped += 1
                if self.dropped == 1:
                    log.warning("the channel layer takes nothing: dropping live copies")
                return
            self.unsent += 1
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (group, message))

    def wait_idle(self, timeout: float) -> bool:
        with self.idle:
            return self.idle.wait_for(lambda: self.unsent == 0, timeout)

    def _failed(self, group: str, exc: Exception) -> None:
        """The first failure of a run of them with its traceback, the others on one line:
        a Redis outage during a run must not bury the rest of the worker's log."""
        log.warning("could not publish to %s: %r", group, exc, exc_info=not self.failing)
        self.failing = True

    async def _drain(self) -> None:
        while True:
            group, message = await self.queue.get()
            try:
                layer = get_channel_layer()  # looked up each time: tests swap the layer
                if layer is not None:
                    await layer.group_send(group, message)
            except Exception as exc:  # noqa: BLE001 - a layer failure must not stop the others
                self._failed(group, exc)
            else:
                self.failing = False
            with self.idle:
                self.unsent -= 1
                if self.unsent == 0:
                    self.dropped = 0
                    self.idle.notify_all()


_senders: dict[int, _Sender] = {}
_senders_lock = threading.Lock()


def _sender() -> _Sender:
    """This process's sender (a forked worker process starts its own: threads do not fork)."""
    pid = os.getpid()
    with _senders_lock:
        if pid not in _senders:
            _senders.clear()
            _senders[pid] = _Sender()
        return _senders[pid]


class RunEventWriter:
    """Appends events to one run. The worker is the only writer while a run is live, so the
    sequence number is kept here; a clash (another writer, e.g. the sweeper) is resolved by
    re-reading the last seq.

    Every event carries the attempt it belongs to (a run whose worker died is graded again):
    a page shows the latest attempt only, and the consumer drops older attempts' events.

    background=True: publish() returns at once and the writer's own thread stores and sends
    (see _Outbox); flush() waits for what was published so far. A writer made inside a
    transaction stores in it all the same (its rows commit or roll back with it)."""

    def __init__(
        self,
        run: Run,
        background: bool = False,
        on_stored: Callable[[list[dict[str, Any]]], None] | None = None,
        first_seq: int | None = None,
    ) -> None:
        """on_stored(events): called in the transaction that stores them (in background,
        on the writer's thread). first_seq: the next seq when the caller knows it (a run
        just created has none stored); else it is read before the first store."""
        self.run = run
        self.attempt = max(run.attempt, 1)
        self.next_seq = first_seq
        self.on_stored = on_stored
        self.outbox = _Outbox(self) if background and not connection.in_atomic_block else None

    def publish(self, data: dict[str, Any]) -> None:
        data = self._with_attempt(data)
        if self.outbox is not None:
            self.outbox.put(data)
            return
        self._send(self._store(data))

    def store(self, data: dict[str, Any]) -> RunEvent:
        """Stores without sending (for events no page can be waiting for live), now."""
        self.flush()
        return self._store(self._with_attempt(data))

    def flush(self) -> None:
        """Returns once every event published so far is stored; raises what storing raised."""
        if self.outbox is not None:
            self.outbox.flush()

    def close(self) -> None:
        """Flushes, then ends the writer's thread (a later publish stores on the caller's)."""
        outbox, self.outbox = self.outbox, None
        if outbox is not None:
            outbox.close()

    def _with_attempt(self, data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "attempt": data.get("attempt", self.attempt)}

    def _send(self, event: RunEvent) -> None:
        message = {"type": RUN_EVENT_MESSAGE, "seq": event.seq, "event": event.data}
        send_to_group(run_group(self.run.token), message)

    def _seq(self) -> int:
        if self.next_seq is None:
            self.next_seq = _last_seq(self.run) + 1
        return self.next_seq

    def _store_many(self, batch: list[dict[str, Any]]) -> list[RunEvent]:
        first = self._seq()
        rows = [
            RunEvent(run=self.run, seq=first + i, kind=str(d.get("event", "")), data=d)
            for i, d in enumerate(batch)
        ]
        try:
            with transaction.atomic():
                RunEvent.objects.bulk_create(rows)
                self._stored(batch)
        except IntegrityError:
            return [self._store(data) for data in batch]  # one by one, past the clash
        self.next_seq = first + len(rows)
        return rows

    def _store(self, data: dict[str, Any]) -> RunEvent:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    event = RunEvent.objects.create(
                        run=self.run, seq=self._seq(), kind=str(data.get("event", "")), data=data
                    )
                    self._stored([data])
                self.next_seq = event.seq + 1
                return event
            except IntegrityError:
                self.next_seq = _last_seq(self.run) + 1
        raise RuntimeError(f"could not store an event for run {self.run.pk}")

    def _stored(self, batch: list[dict[str, Any]]) -> None:
        if self.on_stored is not None:
            self.on_stored(batch)


class _Outbox:
    """A writer's thread: stores the events published meanwhile together (one transaction,
    one round trip), then hands them to the sender, in order. The grading thread only
    appends to a list; when it needs them stored (flush), it stores what the thread has not
    taken yet itself rather than wait for the thread to wake up for it.

    Whoever stores holds `storing` from taking a batch to counting it stored, so batches are
    stored (and numbered) in the order they were published."""

    def __init__(self, writer: RunEventWriter) -> None:
        self.writer = writer
        self.waiting: list[dict[str, Any]] = []
        self.published = self.stored = 0
        self.closing = False
        self.error: BaseException | None = None
        self.changed = threading.Condition()
        self.storing = threading.Lock()
        self.thread = threading.Thread(
            target=self._run, name=f"bpflab-events-{writer.run.pk}", daemon=True
        )
        self.thread.start()

    def put(self, data: dict[str, Any]) -> None:
        with self.changed:
            self._raise_error()
            self.waiting.append(data)
            self.published += 1
            self.changed.notify_all()

    def flush(self) -> None:
        self._store_waiting()
        with self.changed:
            self.changed.wait_for(lambda: self.error is not None or self.stored == self.published)
            self._raise_error()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            with self.changed:
                self.closing = True
                self.changed.notify_all()
            self.thread.join()

    def _raise_error(self) -> None:
        if self.error is not None:
            raise RuntimeError(f"could not store the events of run {self.writer.run.pk}") from (
                self.error
            )

    def _store_waiting(self) -> None:
        """Stores every event published and not taken yet, on the calling thread."""
        with self.storing:
            with self.changed:
                batch, self.waiting = self.waiting, []
                if not batch or self.error is not None:
                    return
            try:
                events = self.writer._store_many(batch)
            except BaseException as exc:  # noqa: BLE001 - flush() raises it
                with self.changed:
                    self.error = exc
                    self.changed.notify_all()
                return
            for event in events:
                self.writer._send(event)
            with self.changed:
                self.stored += len(batch)
                self.changed.notify_all()

    def _run(self) -> None:
        try:
            while True:
                with self.changed:
                    self.changed.wait_for(
                        lambda: bool(self.waiting) or self.closing or self.error is not None
                    )
                    if not self.waiting or self.error is not None:
                        return
                self._store_waiting()
        finally:
            connection.close()  # this thread's own


def attempt_of(data: dict[str, Any]) -> int:
    """The attempt an event belongs to (0 for events stored before runs had attempts)."""
    return int(data.get("attempt") or 0)


def publish(run: Run, data: dict[str, Any]) -> None:
    """Stores and sends one event; for callers outside a live run (submit view, reaper)."""
    RunEventWriter(run).publish(data)


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
