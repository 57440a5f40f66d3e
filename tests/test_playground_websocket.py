"""Free-form runs over the websocket: an anonymous embed's run and a shared snippet's run are
watched by their token alone, a signed-in user's own playground run only by them, a program
(API token) follows its run with `Authorization`, and the verdict is worded in the viewer's
language."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from labs.events import publish
from labs.models import ApiToken, Snippet, Submission
from tests.builders import make_free_run
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1")
FACTS = {"stage": "done", "actions": ["XDP_DROP"], "trace_lines": 0, "live": {}}


async def watch(run, headers=(), query: str = "") -> tuple[WebsocketCommunicator, bool]:  # type: ignore[no-untyped-def]
    path = f"/ws/runs/{run.token}/{query}"
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_it_lets_anyone_with_the_token_watch_an_anonymous_run() -> None:
    run = await sync_to_async(make_free_run)(None, "int x;")
    communicator, connected = await watch(run)
    assert connected
    await communicator.disconnect()


async def test_it_keeps_a_users_own_playground_run_to_them(learner) -> None:
    run = await sync_to_async(make_free_run)(learner, "int x;")
    communicator, connected = await watch(run)
    assert not connected
    await communicator.disconnect()

    snippet = await sync_to_async(Snippet.objects.create)(source="int x;", settings={})
    await sync_to_async(Submission.objects.filter(pk=run.submission_id).update)(snippet=snippet)
    communicator, connected = await watch(run)
    assert connected, "a shared snippet's run is what its permalink shows"
    await communicator.disconnect()


async def test_it_lets_a_program_follow_its_run_with_its_api_token(learner) -> None:
    run = await sync_to_async(make_free_run)(learner, "int x;")
    _token, key = await sync_to_async(ApiToken.issue)(learner, "tool")
    communicator, connected = await watch(run, [(b"authorization", f"Bearer {key}".encode())])
    assert connected
    await communicator.disconnect()


async def test_it_words_a_free_form_verdict_in_the_viewers_language() -> None:
    run = await sync_to_async(make_free_run)(None, "int x;")
    verdict = {
        "event": "verdict",
        "kind": "playground",
        "passed": None,
        "stage": "done",
        "summary": "Loaded and ran on 1 packet: XDP_DROP.",
        "facts": FACTS,
    }
    await sync_to_async(publish)(run, verdict)
    communicator, connected = await watch(run, query="?lang=zh-hans")
    assert connected
    event = await communicator.receive_json_from(timeout=5)
    assert event["summary"] == "已加载，并在 1 个数据包上运行：XDP_DROP。"
    await communicator.disconnect()
