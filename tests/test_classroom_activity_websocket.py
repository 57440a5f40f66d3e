"""The cohort activity feed over a websocket on the real Redis channel layer: recent runs
replayed, then starts and finishes live, to the cohort's instructor only."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from labs.events import publish_cohort_activity
from tests.builders import (
    make_cohort,
    make_finished_run,
    make_instructor,
    make_lab,
    make_run,
    session_headers,
)
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(cohort_id: int, user) -> tuple[WebsocketCommunicator, bool]:  # type: ignore[no-untyped-def]
    headers = (
        await sync_to_async(session_headers)(user) if user else [(b"origin", b"http://127.0.0.1")]
    )
    path = f"/ws/cohorts/{cohort_id}/activity/"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_it_replays_recent_runs_then_relays_live_ones(learner):
    instructor = await sync_to_async(make_instructor)()
    cohort = await sync_to_async(make_cohort)(instructor, learner)
    lab = await sync_to_async(make_lab)()
    earlier = await sync_to_async(make_finished_run)(learner, lab, passed=False, stage="compile")

    communicator, connected = await connect(cohort.pk, instructor)
    assert connected
    replayed = await communicator.receive_json_from(timeout=5)
    assert replayed["run"] == earlier.pk and replayed["replay"] is True
    assert replayed["failure"] == "compile" and replayed["learner"] == learner.username

    live_run = await sync_to_async(make_finished_run)(learner, lab, passed=True)
    told = await sync_to_async(publish_cohort_activity)(live_run)
    assert told == 1
    live = await communicator.receive_json_from(timeout=5)
    assert live["run"] == live_run.pk and live["replay"] is False
    assert live["status"] == "done" and live["passed"] is True and live["lab"] == lab.slug
    assert "source" not in live
    await communicator.disconnect()


async def test_it_does_not_relay_runs_of_learners_outside_the_cohort(learner, outsider):
    instructor = await sync_to_async(make_instructor)()
    cohort = await sync_to_async(make_cohort)(instructor, learner)
    communicator, connected = await connect(cohort.pk, instructor)
    assert connected

    outsider_run = await sync_to_async(make_run)(outsider)
    assert await sync_to_async(publish_cohort_activity)(outsider_run) == 0
    member_run = await sync_to_async(make_run)(learner)
    assert await sync_to_async(publish_cohort_activity)(member_run) == 1
    first = await communicator.receive_json_from(timeout=5)
    assert first["run"] == member_run.pk and first["status"] == "queued"
    await communicator.disconnect()


@pytest.mark.parametrize("persona", ["learner", "outsider", "other_instructor", "anonymous"])
async def test_it_refuses_everyone_but_the_cohorts_instructor(persona, learner, outsider):
    instructor = await sync_to_async(make_instructor)()
    cohort = await sync_to_async(make_cohort)(instructor, learner)
    users = {"learner": learner, "outsider": outsider, "anonymous": None}
    if persona == "other_instructor":
        users[persona] = await sync_to_async(make_instructor)("olga")
    communicator, connected = await connect(cohort.pk, users[persona])
    assert not connected
    await communicator.disconnect()


async def test_it_refuses_a_missing_cohort():
    instructor = await sync_to_async(make_instructor)()
    communicator, connected = await connect(999999, instructor)
    assert not connected
    await communicator.disconnect()


async def test_it_lets_the_instructor_follow_a_members_run_stream_but_not_a_classmate(
    learner, outsider
):
    from labs.events import publish

    instructor = await sync_to_async(make_instructor)()
    await sync_to_async(make_cohort)(instructor, learner, outsider)
    run = await sync_to_async(make_run)(learner)
    await sync_to_async(publish)(run, {"event": "trace", "message": "from the learner"})

    async def open_stream(user) -> tuple[WebsocketCommunicator, bool]:  # type: ignore[no-untyped-def]
        headers = await sync_to_async(session_headers)(user)
        stream = WebsocketCommunicator(application, f"/ws/runs/{run.token}/", headers=headers)
        connected, _ = await stream.connect()
        return stream, connected

    stream, connected = await open_stream(instructor)
    assert connected
    assert (await stream.receive_json_from(timeout=5))["message"] == "from the learner"
    await stream.disconnect()
    classmate_stream, connected = await open_stream(outsider)
    assert not connected
    await classmate_stream.disconnect()
