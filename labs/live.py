"""Live traffic mode on the worker's side: the sandbox's `live` op streams trace lines, ring
buffer records and trigger results as they come and a `snapshot` of the maps every second
(docs/protocol.md); the page gets one `tick` event a second carrying all of it, so a run
sending hundreds of packets a second stores one event a second, not one a line.

The stop button sets Run.stop_requested_at; the relay reads it at each snapshot and tells
the sandbox (RunControl.stop), whose agent ends the loop, dumps the maps and finishes
cleanly, as it does at the time limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labs.models import Run

EventSink = Callable[[dict[str, Any]], None]
LIVE_OP = "live"
# The live op's own id, and the one its trigger runs carry (docs/protocol.md, `live`).
LIVE_IDS = frozenset({LIVE_OP, f"{LIVE_OP}#trigger"})
# Lines a tick carries at most; the rest is counted (the full trace is in the verdict).
MAX_LINES_PER_TICK = 200


def is_live(settings: dict[str, Any] | None) -> bool:
    return bool((settings or {}).get("live"))


class LiveRelay:
    """An event sink that batches the live op's stream into one `tick` a second."""

    def __init__(self, run: Run, sink: EventSink) -> None:
        from sandbox.job import RunControl

        self.run = run
        self.sink = sink
        self.control = RunControl()
        self.lines: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []
        self.dropped = 0
        self.triggers = 0
        self.stop_sent = False

    def __call__(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        during_live = LIVE_IDS.intersection((event.get("op"), event.get("id")))
        if kind in ("trace", "record") and during_live:
            self._keep(self.lines if kind == "trace" else self.records, event)
        elif kind == "trigger" and during_live:
            self.triggers += 1
        elif kind == "snapshot":
            self._tick(event)
        else:
            if kind == "live":
                self._flush_lines(event)
            self.sink(event)

    def _keep(self, bucket: list[dict[str, Any]], event: dict[str, Any]) -> None:
        if len(self.lines) + len(self.records) >= MAX_LINES_PER_TICK:
            self.dropped += 1
            return
        bucket.append({k: v for k, v in event.items() if k not in ("op", "t")})

    def _tick(self, snapshot: dict[str, Any]) -> None:
        tick = {
            "event": "tick",
            "tick": snapshot.get("tick"),
            "elapsed_ms": snapshot.get("elapsed_ms"),
            "sent": snapshot.get("sent"),
            "triggers": snapshot.get("triggers", self.triggers),
            "maps": snapshot.get("maps") or [],
            "trace": self.lines,
            "records": self.records,
            "dropped": self.dropped,
        }
        self.lines, self.records, self.dropped = [], [], 0
        self.sink(tick)
        self._stop_if_asked()

    def _flush_lines(self, final: dict[str, Any]) -> None:
        """Lines read after the last snapshot go out in a last tick before the op's result."""
        if self.lines or self.records:
            self._tick(
                {
                    "tick": None,
                    "elapsed_ms": final.get("elapsed_ms"),
                    "sent": final.get("sent"),
                    "triggers": final.get("triggers"),
                }
            )

    def _stop_if_asked(self) -> None:
        if self.stop_sent:
            return
        asked = Run.objects.filter(pk=self.run.pk, stop_requested_at__isnull=False).exists()
        if asked:
            self.stop_sent = True
            self.control.stop()


def request_stop(run: Run) -> bool:
    """The stop button: marks the run; the worker passes it on at the next snapshot."""
    from django.utils import timezone

    return bool(
        Run.objects.filter(pk=run.pk, stop_requested_at=None)
        .exclude(status__in=Run.FINISHED)
        .update(stop_requested_at=timezone.now())
    )
