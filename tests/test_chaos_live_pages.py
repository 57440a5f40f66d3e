"""Chaos suite: a learner's open run page and an instructor's live dashboard keep streaming
across a Redis restart and a worker restart. The run page, deduplicating as the panel does
(by seq, and showing the latest attempt), ends up with exactly the stored events of the
run's final attempt: no repeats, no gaps; the dashboard's last word on the run is its
verdict."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from typing import Any

import websockets

from labs.models import Lab, Run, RunEvent
from labs.submissions import submit
from tests.builders import make_cohort, make_instructor
from tests.chaos import finished, learners, wait_for
from web.bench import session_cookie


def cookie_of(user: Any) -> str:
    return f"sessionid={session_cookie(user)}"


class Follower:
    """A page's socket: reconnects whenever it drops, as the pages' scripts do."""

    def __init__(self, url: str, cookie: str, origin: str) -> None:
        self.url, self.headers = url, {"Cookie": cookie, "Origin": origin}
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.stopping = False
        self.thread = threading.Thread(target=lambda: asyncio.run(self.follow()), daemon=True)

    async def follow(self) -> None:
        while not self.stopping:
            with contextlib.suppress(OSError, asyncio.TimeoutError, websockets.WebSocketException):
                async with websockets.connect(self.url, additional_headers=self.headers) as ws:
                    self.connections += 1
                    while not self.stopping:
                        with contextlib.suppress(asyncio.TimeoutError):
                            self.received.append(json.loads(await asyncio.wait_for(ws.recv(), 0.2)))
            await asyncio.sleep(0.3)


def shown_by_panel(received: list[dict[str, Any]]) -> list[int]:
    """The seqs the run panel renders: it drops seen seqs and older attempts' events, and
    starts over at a newer attempt."""
    last_seq, attempt, shown = 0, 0, []
    for event in received:
        if "seq" not in event or event["seq"] <= last_seq:
            continue
        last_seq = event["seq"]
        if event.get("attempt", 0) < attempt:
            continue
        if event.get("attempt", 0) > attempt:
            attempt, shown = event.get("attempt", 0), []
        shown.append(event["seq"])
    return shown


def test_it_keeps_the_run_page_and_the_dashboard_streaming_across_restarts(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    (learner,) = learners(1)
    cohort = make_cohort(make_instructor(), learner)
    http_url, ws_url = chaos.start_web()
    worker = chaos.start_worker(concurrency=1)
    run = submit(learner, lab, lab.solution, backend="local")
    page = Follower(f"{ws_url}/ws/runs/{run.token}/", cookie_of(learner), http_url)
    dashboard = Follower(
        f"{ws_url}/ws/cohorts/{cohort.pk}/activity/", cookie_of(cohort.instructor), http_url
    )
    for follower in (page, dashboard):
        follower.thread.start()
    in_flight = Run.objects.filter(pk=run.pk, status__in=["compiling", "running"])
    wait_for(in_flight.exists, 60, "the run to be graded", interval=0.01)

    worker.kill()
    chaos.redis.kill()
    chaos.redis.start()
    chaos.start_worker(concurrency=1)
    wait_for(lambda: finished([run]), 120, "the run to finish", interval=0.2)
    wait_for(
        lambda: any(e.get("event") == "finished" for e in page.received), 30, "the page's finish"
    )
    wait_for(
        lambda: any(
            a.get("run") == run.pk and a.get("status") == "done" for a in dashboard.received
        ),
        30,
        "the dashboard's word on the run",
    )
    page.stopping = dashboard.stopping = True

    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is True and run.attempt == 2
    final = RunEvent.objects.filter(run=run, data__attempt=2).order_by("seq")
    assert shown_by_panel(page.received) == list(final.values_list("seq", flat=True))
    ours = [a for a in dashboard.received if a.get("run") == run.pk]
    assert (ours[-1]["status"], ours[-1]["passed"]) == ("done", True)
