"""A run's outcome read in the viewer's language: a run submitted from a Chinese page and
watched from an English one says "not run" and its summary in English (and the other way
round). The checks carry `status` and `reason` as data; the socket words them again."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from tests.test_run_websocket import session_headers
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CJK = re.compile(r"[\u4e00-\u9fff]")
STARTER = Path(__file__).resolve().parent.parent / "content/labs/verifier-bounds/starter.c"


def graded_run(learner, language: str):  # type: ignore[no-untyped-def]
    """The verifier-bounds starter, rejected by the verifier: every check is not run."""
    from django.core.management import call_command

    from labs.models import Lab
    from labs.runner import execute_run
    from labs.submissions import submit

    call_command("load_content", verbosity=0)
    lab = Lab.objects.get(slug="verifier-bounds")
    run = submit(learner, lab, STARTER.read_text(), backend="local", language=language)
    execute_run(run.pk)
    run.refresh_from_db()
    return run


async def events_of(run, learner, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    from labs.models import RunEvent

    total = await sync_to_async(RunEvent.objects.filter(run=run).count)()
    headers = await sync_to_async(session_headers)(learner)
    path = f"/ws/runs/{run.token}/{query}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    events = [await communicator.receive_json_from(timeout=10) for _ in range(total)]
    await communicator.disconnect()
    return events


async def test_it_words_a_chinese_run_in_english_for_an_english_page(learner):
    run = await sync_to_async(graded_run)(learner, "zh-hans")
    assert CJK.search(run.verdict["summary"])

    events = await events_of(run, learner, "?lang=en")

    checks = [e for e in events if e["event"] == "check"]
    verdict = next(e for e in events if e["event"] == "verdict")
    assert checks and all(
        c["status"] == "not_run" and c["reason"]["code"] == "load" for c in checks
    )
    assert all(
        c["actual"].startswith("not run: the verifier rejected it at prog.c:") for c in checks
    )
    assert verdict["summary"].startswith("Your program was not run: the verifier rejected it")
    assert not CJK.search(verdict["summary"])


async def test_it_words_an_english_run_in_chinese_for_a_chinese_page(learner):
    run = await sync_to_async(graded_run)(learner, "en")

    events = await events_of(run, learner, "?lang=zh-hans")

    verdict = next(e for e in events if e["event"] == "verdict")
    checks = [e for e in events if e["event"] == "check"]
    assert CJK.search(verdict["summary"]) and "invalid access to packet" in verdict["summary"]
    assert all(c["actual"].startswith("未运行：") for c in checks)


async def test_it_keeps_the_runs_words_when_the_page_names_no_language(learner):
    run = await sync_to_async(graded_run)(learner, "zh-hans")

    events = await events_of(run, learner, "")

    verdict = next(e for e in events if e["event"] == "verdict")
    assert verdict["summary"] == run.verdict["summary"]
