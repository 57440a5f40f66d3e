"""The real path, end to end, no mocks: a run enqueued through real Redis is picked up by a real
Celery worker process, which grades it in the sandbox and publishes every event on the
channels-redis layer; a websocket client connected to the real ASGI server receives them live."""

from __future__ import annotations

import asyncio

import pytest

from labs.models import Lab, Progress, Run
from labs.tasks import run_submission
from tests.builders import make_run
from web.bench import receive_run, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def collect_until_finished(url: str, cookie: str, origin: str, start) -> list[dict]:
    return [event for _, event in await receive_run(url, cookie, origin, start)]


def test_it_streams_a_real_run_from_worker_to_websocket(live_stack, content, learner):
    lab = Lab.objects.get(slug="hello-printk")
    run = make_run(learner, lab, source=lab.solution)
    url = f"{live_stack.ws_url}/ws/runs/{run.token}/"

    events = asyncio.run(
        collect_until_finished(
            url, session_cookie(learner), live_stack.http_url, lambda: run_submission.delay(run.pk)
        )
    )

    # Unless the worker took the run first, the page hears why it waits (a status, no seq).
    if events[0]["event"] == "waiting":
        assert events.pop(0) == {"event": "waiting", "reason": "worker", "ahead": 0, "attempt": 1}
    kinds = [e["event"] for e in events]
    assert kinds[0] == "stage" and events[0]["stage"] == "compiling"
    assert "compile" in kinds and "load" in kinds and "check" in kinds
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert any(e["event"] == "trace" and e["message"] == "Hello, eBPF!" for e in events)
    assert events[-1] == {
        "seq": len(events),
        "event": "finished",
        "status": "done",
        "passed": True,
        "attempt": 1,
    }
    assert all(e["attempt"] == 1 for e in events)
    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is True
    assert Progress.objects.get(user=learner, lab=lab).status == Progress.PASSED


def test_it_reports_a_compile_error_through_the_same_path(live_stack, content, learner):
    lab = Lab.objects.get(slug="hello-printk")
    run = make_run(learner, lab, source="int main( {")
    url = f"{live_stack.ws_url}/ws/runs/{run.token}/"

    events = asyncio.run(
        collect_until_finished(
            url, session_cookie(learner), live_stack.http_url, lambda: run_submission.delay(run.pk)
        )
    )

    compiled = next(e for e in events if e["event"] == "compile")
    assert compiled["ok"] is False
    assert compiled["diagnostics"][0]["line"] == 1
    assert events[-1]["passed"] is False
    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is False
