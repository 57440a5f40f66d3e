"""The run stream over a websocket: stored events replayed in order, then live ones; owner only."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from labs.events import publish
from tests.builders import make_run, session_headers
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(run, user) -> tuple[WebsocketCommunicator, bool]:
    headers = await sync_to_async(session_headers)(user)
    communicator = WebsocketCommunicator(application, f"/ws/runs/{run.token}/", headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_it_replays_stored_events_then_relays_live_ones(learner):
    run = await sync_to_async(make_run)(learner)
    await sync_to_async(publish)(run, {"event": "stage", "stage": "compiling"})
    await sync_to_async(publish)(run, {"event": "trace", "message": "first"})
    communicator, connected = await connect(run, learner)
    assert connected
    replayed = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert [e["seq"] for e in replayed] == [1, 2]
    assert replayed[1]["message"] == "first"
    waiting = await communicator.receive_json_from(timeout=5)  # still queued: why it waits
    assert waiting == {"event": "waiting", "reason": "worker", "ahead": 0, "attempt": 1}
    await sync_to_async(publish)(run, {"event": "trace", "message": "live"})
    live = await communicator.receive_json_from(timeout=5)
    assert live == {"seq": 3, "event": "trace", "message": "live", "attempt": 1}
    await communicator.disconnect()


async def test_it_refuses_a_second_learner(learner, outsider):
    run = await sync_to_async(make_run)(learner)
    await sync_to_async(publish)(run, {"event": "trace", "message": "secret"})
    communicator, connected = await connect(run, outsider)
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_an_anonymous_visitor(learner):
    run = await sync_to_async(make_run)(learner)
    communicator = WebsocketCommunicator(
        application, f"/ws/runs/{run.token}/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_a_foreign_origin(learner):
    run = await sync_to_async(make_run)(learner)
    headers = await sync_to_async(session_headers)(learner)
    headers = [h for h in headers if h[0] != b"origin"] + [(b"origin", b"http://evil.example")]
    communicator = WebsocketCommunicator(application, f"/ws/runs/{run.token}/", headers=headers)
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()
