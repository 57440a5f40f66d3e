"""A decided check is stored as data (phrases: a sentence key and language-neutral values;
frame differences as field, expected, actual) and worded for its reader: a run submitted
from a Chinese page reads entirely in English on an English page, on the run socket and on
the pages that list its checks, and the other way round. A run stored with words before
checks carried phrases still reads as it was stored."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from tests.builders import client_for, make_cohort, make_instructor
from tests.test_run_websocket import session_headers
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")
ROOT = Path(__file__).resolve().parent.parent
# Keeps UDP from or to port 53: the DNS reply the lab wants dropped is kept.
EITHER_PORT = (ROOT / "tests/solutions/socket-filter-dns/bad_either_port.c").read_text()
# Sends every frame back with its MAC addresses unswapped.
TX_WITHOUT_SWAP = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int swap(struct xdp_md *ctx)
{
\treturn XDP_TX;
}
char LICENSE[] SEC("license") = "GPL";
"""


def graded_run(learner, slug: str, source: str, language: str):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from labs.models import Lab
    from labs.runner import execute_run
    from labs.submissions import submit

    call_command("load_content", verbosity=0)
    run = submit(learner, Lab.objects.get(slug=slug), source, backend="local", language=language)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.language == language
    return run


async def checks_on_socket(run, learner, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    from labs.models import RunEvent

    total = await sync_to_async(RunEvent.objects.filter(run=run).count)()
    headers = await sync_to_async(session_headers)(learner)
    communicator = WebsocketCommunicator(
        application, f"/ws/runs/{run.token}/{query}", headers=headers
    )
    connected, _ = await communicator.connect()
    assert connected
    events = [await communicator.receive_json_from(timeout=10) for _ in range(total)]
    await communicator.disconnect()
    return [e for e in events if e["event"] in ("check", "verdict")]


def _said(checks: list[dict]) -> str:
    return json.dumps(
        [[c.get("expected"), c.get("actual"), c.get("summary")] for c in checks],
        ensure_ascii=False,
    )


@pytest.mark.asyncio
async def test_it_words_a_chinese_runs_decided_checks_in_english(learner) -> None:
    run = await sync_to_async(graded_run)(learner, "socket-filter-dns", EITHER_PORT, "zh-hans")

    english = await checks_on_socket(run, learner, "?lang=en")
    chinese = await checks_on_socket(run, learner, "?lang=zh-hans")

    assert not CJK.search(_said(english))
    reply = next(c for c in english if c.get("name") == "dns-reply-dropped")
    assert reply["status"] == "failed" and reply["expected"] == "dropped (returns 0)"
    assert reply["actual"].startswith("kept it (returned ")
    reply = next(c for c in chinese if c.get("name") == "dns-reply-dropped")
    assert CJK.search(reply["expected"]) and CJK.search(reply["actual"])


@pytest.mark.asyncio
async def test_it_words_the_frame_differences_of_a_chinese_run_in_english(learner) -> None:
    run = await sync_to_async(graded_run)(learner, "xdp-swap-tx", TX_WITHOUT_SWAP, "zh-hans")

    english = await checks_on_socket(run, learner, "?lang=en")

    assert not CJK.search(_said(english))
    swapped = next(c for c in english if c.get("name") == "udp-swapped-and-sent")
    assert "eth.src: expected 02:00:00:00:00:0b, got 02:00:00:00:00:0a" in swapped["actual"]
    assert "eth.src 02:00:00:00:00:0b (was 02:00:00:00:00:0a)" in swapped["expected"]
    fields = {d["field"]: (d["expected"], d["actual"]) for d in swapped["differences"]}
    assert fields["eth.src"] == ("02:00:00:00:00:0b", "02:00:00:00:00:0a")


def test_it_stores_the_checks_without_words(learner) -> None:
    from labs.models import RunEvent

    run = graded_run(learner, "xdp-swap-tx", TX_WITHOUT_SWAP, "zh-hans")

    events = [e.data for e in RunEvent.objects.filter(run=run, kind="check")]
    for stored in (events, run.verdict["checks"]):
        assert stored and not CJK.search(_said(stored))
        assert all(isinstance(c["expected"], dict) for c in stored)
    swapped = next(c for c in events if c["name"] == "udp-swapped-and-sent")
    assert {p["say"] for p in swapped["actual"]} == {"frame_difference"}


def test_it_lists_a_chinese_runs_checks_in_english_on_the_pages(learner) -> None:
    run = graded_run(learner, "socket-filter-dns", EITHER_PORT, "zh-hans")
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)

    page = client_for(instructor).get(
        f"/classroom/cohorts/{cohort.pk}/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = page.content.decode().split('data-check="dns-reply-dropped"')[1].split("</tr>")[0]
    assert "dropped (returns 0)" in rows and "kept it (returned " in rows
    assert not CJK.search(rows)
    lab_page = client_for(learner).get(f"/runs/{run.token}/", HTTP_ACCEPT_LANGUAGE="en")
    static = lab_page.content.decode().partition('class="checks-static"')[2]
    static = static.partition("</ul>")[0]
    assert "kept it (returned " in static and not CJK.search(static)


@pytest.mark.asyncio
async def test_it_reads_a_run_stored_with_words_as_it_was_stored(learner) -> None:
    from labs.models import RunEvent
    from tests.builders import make_run

    run = await sync_to_async(make_run)(learner)
    old = {
        "event": "check",
        "name": "prints-hello",
        "passed": False,
        "expected": "XDP_PASS",
        "actual": "应为 XDP_PASS，实际为 XDP_DROP",
    }
    await sync_to_async(RunEvent.objects.create)(run=run, seq=1, kind="check", data=old)

    checks = await checks_on_socket(run, learner, "?lang=en")

    assert checks == [{"seq": 1, **old}]


def test_it_words_a_lab_this_site_cannot_run_for_its_reader() -> None:
    from django.utils import translation

    from labs.grading import grade, words
    from labs.spec import load_lab_by_slug

    lab = load_lab_by_slug(ROOT / "content", "fexit-unlink")
    with translation.override("zh-hans"):
        verdict = grade(lab, lab.solution, backend="local")

    reason = verdict.checks[0].reason
    assert reason == {"code": "unavailable", "needed": ["microvm"], "backend": "local"}
    with translation.override("en"):
        said = [words.check_words(c.to_dict())["actual"] for c in verdict.checks]
        summary = words.verdict_summary(verdict.to_dict())
    assert all(s.startswith("not run: this lab needs the microvm sandbox") for s in said)
    assert "this site runs the local sandbox" in summary and not CJK.search(summary)
