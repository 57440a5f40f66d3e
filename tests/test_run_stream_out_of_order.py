"""Two processes publish a run's events (the sweeper that requeues it, the worker that
grades it), so a later event's live copy can arrive first. The run stream fills the gap
from the stored events: the page gets every event once, in order."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from labs.events import RUN_EVENT_MESSAGE, run_group
from labs.models import Run, RunEvent
from tests.builders import make_run, session_headers
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def store(run: Run, seq: int, message: str) -> dict:
    data = {"event": "trace", "message": message, "attempt": 1}
    RunEvent.objects.create(run=run, seq=seq, kind="trace", data=data)
    return data


async def next_event(socket: WebsocketCommunicator) -> dict:
    while True:  # a queued run's page also gets a waiting status (no seq)
        message = await socket.receive_json_from(timeout=5)
        if "seq" in message:
            return message


async def test_it_reads_back_an_event_whose_live_copy_comes_late(learner):
    run = await sync_to_async(make_run)(learner)
    await sync_to_async(store)(run, 1, "one")
    headers = await sync_to_async(session_headers)(learner)
    socket = WebsocketCommunicator(application, f"/ws/runs/{run.token}/", headers=headers)
    assert (await socket.connect())[0]
    assert (await next_event(socket))["seq"] == 1

    two = await sync_to_async(store)(run, 2, "two")
    three = await sync_to_async(store)(run, 3, "three")
    layer, group = get_channel_layer(), run_group(run.token)
    await layer.group_send(group, {"type": RUN_EVENT_MESSAGE, "seq": 3, "event": three})
    await layer.group_send(group, {"type": RUN_EVENT_MESSAGE, "seq": 2, "event": two})

    got = [await next_event(socket) for _ in range(2)]
    assert [(e["seq"], e["message"]) for e in got] == [(2, "two"), (3, "three")]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
