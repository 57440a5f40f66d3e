"""A run graded again after its worker died streams its latest attempt only: the replay
starts at the latest attempt, and late events of an abandoned attempt are dropped."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from labs.events import RunEventWriter
from labs.models import Run
from tests.builders import make_run, session_headers
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def writer_at(run: Run, attempt: int, status: str = Run.RUNNING) -> RunEventWriter:
    Run.objects.filter(pk=run.pk).update(attempt=attempt, status=status)
    run.refresh_from_db()
    return RunEventWriter(run)


async def test_it_replays_only_the_latest_attempt_and_drops_a_stale_one(learner):
    run = await sync_to_async(make_run)(learner)
    first = await sync_to_async(writer_at)(run, 1)
    await sync_to_async(first.publish)({"event": "trace", "message": "from attempt 1"})
    second = await sync_to_async(writer_at)(run, 2)
    await sync_to_async(second.publish)({"event": "stage", "stage": "compiling"})
    headers = await sync_to_async(session_headers)(learner)
    socket = WebsocketCommunicator(application, f"/ws/runs/{run.token}/", headers=headers)
    assert (await socket.connect())[0]

    replayed = await socket.receive_json_from(timeout=5)
    assert replayed == {"seq": 2, "event": "stage", "stage": "compiling", "attempt": 2}
    # the worker of attempt 1 lost its lease but has not noticed yet
    await sync_to_async(first.publish)({"event": "trace", "message": "late, from attempt 1"})
    await sync_to_async(second.publish)({"event": "trace", "message": "from attempt 2"})
    live = await socket.receive_json_from(timeout=5)
    assert live["message"] == "from attempt 2" and live["attempt"] == 2
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
