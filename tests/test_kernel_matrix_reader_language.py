"""The whole of a run on every kernel is stored as data (each kernel's outcome, and on how
many of the kernels the lab is meant for it passed) and worded by each reader in their own
language: a run made from a Chinese page reads in English on the run socket, its event
stream, the matrix page and the instructor's run page, and the other way round. A run
stored with the whole's words before it carried them as data still reads.

Real microVMs of every built kernel (the program uses bpf_iter_num, which 6.1 lacks)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from labs import kernels
from tests.builders import (
    built_kernel_images,
    client_for,
    make_cohort,
    make_instructor,
    make_lab,
    make_run,
)
from tests.test_run_viewer_language import events_of

pytestmark = [pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")
ITER_NUM = (Path(__file__).parent / "programs" / "iter_num_drop.c").read_text()
THREE_OF_FOUR = "Passed on 3 of 4 kernels."


@pytest.fixture
def microvm(settings):  # type: ignore[no-untyped-def]
    built_kernel_images()
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    return settings


def run_on_every_kernel(user, language: str):  # type: ignore[no-untyped-def]
    from labs import runner
    from labs.submissions import submit

    run = submit(user, make_lab("xdp-drop-all"), ITER_NUM, kernel=kernels.ALL, language=language)
    runner.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.language == language
    return run


def whole_event(events: list[dict]) -> dict:  # type: ignore[type-arg]
    return next(e for e in events if e["event"] == "verdict" and "kernels" in e)


def page_of(run, user, language: str) -> str:  # type: ignore[no-untyped-def]
    """The run's page (the matrix, once finished) in `language`."""
    return (
        client_for(user).get(f"/runs/{run.token}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    )


def matrix_section(html: str) -> str:
    """The page from its heading to the program's source (the language menu names both)."""
    return html.partition('class="lesson-head"')[2].partition('class="source"')[0]


@pytest.mark.slow
def test_it_stores_the_whole_as_data_and_words_it_on_each_page(microvm, learner) -> None:
    from labs.models import RunEvent

    run = run_on_every_kernel(learner, "zh-hans")

    stored = whole_event([e.data for e in RunEvent.objects.filter(run=run, kind="verdict")])
    assert "summary" not in stored and not CJK.search(json.dumps(stored, ensure_ascii=False))
    assert stored["kernel_counts"] == {"passed": 3, "total": 4}
    assert all("summary" not in outcome for outcome in stored["kernels"].values())
    on_61 = stored["kernels"]["6.1"]
    assert on_61["passed"] is False and on_61["stage"] == "load" and on_61["counted"] is True
    assert on_61["load_failure"] == "missing_kfunc" and on_61["verifier"] is None
    assert on_61["reason"]["code"] == "load" and on_61["error"] is None
    assert stored["kernels"]["7.3"]["counts"] == {"passed": 6, "total": 6}
    assert "summary" not in run.verdict and run.verdict["kernel_counts"] == stored["kernel_counts"]

    matrix = matrix_section(page_of(run, learner, "en"))
    assert THREE_OF_FOUR in matrix and not CJK.search(matrix), matrix
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    page = client_for(instructor).get(
        f"/classroom/cohorts/{cohort.pk}/runs/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert html.partition('id="run-summary">')[2].partition("</p>")[0] == THREE_OF_FOUR
    steps = html.partition('id="events"')[2].split('data-kind="verdict">')
    assert f"<td>{THREE_OF_FOUR}" in steps[-1]  # the whole's step, in the reader's words


@pytest.mark.slow
@pytest.mark.asyncio
async def test_it_words_a_chinese_runs_whole_in_english_on_the_socket_and_stream(
    microvm, learner
) -> None:
    run = await sync_to_async(run_on_every_kernel)(learner, "zh-hans")

    english = whole_event(await events_of(run, learner, "?lang=en"))
    streamed = whole_event(await stream_of(run, learner, "lang=en"))
    own = whole_event(await events_of(run, learner, ""))

    for whole in (english, streamed):
        assert whole["summary"] == THREE_OF_FOUR
        assert not CJK.search(json.dumps(whole, ensure_ascii=False)), whole
        on_61 = whole["kernels"]["6.1"]["summary"]
        assert on_61.startswith("Your program was not run: prog.c:18 calls bpf_iter_num_")
        assert "this kernel has no kernel function bpf_iter_num_" in on_61
        assert whole["kernels"]["6.12"]["summary"] == "All 6 checks passed."
    assert own["summary"] == "在 4 个内核中的 3 个上通过。"
    assert CJK.search(own["kernels"]["6.1"]["summary"])


@pytest.mark.slow
@pytest.mark.asyncio
async def test_it_words_an_english_runs_whole_in_chinese(microvm, learner) -> None:
    run = await sync_to_async(run_on_every_kernel)(learner, "en")

    chinese = whole_event(await events_of(run, learner, "?lang=zh-hans"))
    page = await sync_to_async(page_of)(run, learner, "zh-hans")

    assert chinese["summary"] == "在 4 个内核中的 3 个上通过。"
    assert all(CJK.search(outcome["summary"]) for outcome in chinese["kernels"].values())
    matrix = matrix_section(page)
    assert "在 4 个内核中的 3 个上通过。" in matrix and THREE_OF_FOUR not in matrix
    assert "IPv4 UDP 包被丢弃" in matrix and "An IPv4 UDP packet" not in matrix


async def stream_of(run, learner, query: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """The run's events as its event stream (the HTTP API's) sends them."""
    from channels.testing import HttpCommunicator

    from labs.models import ApiToken
    from web.asgi import application

    _token, key = await sync_to_async(ApiToken.issue)(learner, "matrix")
    path = f"/api/v1/runs/{run.token}/events"
    headers = [(b"authorization", f"Bearer {key}".encode())]
    communicator = HttpCommunicator(application, "GET", path, headers=headers)
    communicator.scope["query_string"] = query.encode()
    response = await communicator.get_response(timeout=30)
    messages = response["body"].decode().strip().split("\n\n")[1:]  # after the comment
    return [json.loads(m.splitlines()[2].removeprefix("data: ")) for m in messages]


OLD_WHOLE = {
    "event": "verdict",
    "passed": False,
    "stage": "done",
    "summary": "在 2 个内核中的 1 个上通过。",
    "kernels": {
        "6.1": {"passed": False, "stage": "load", "summary": "你的程序未运行。"},
        "6.12": {"passed": True, "stage": "done", "summary": "全部 2 项检查通过。"},
    },
}


def old_run(learner):  # type: ignore[no-untyped-def]
    """A run on every kernel stored before its whole carried data: its words, in Chinese."""
    from labs.models import Run, RunEvent

    run = make_run(learner, make_lab("xdp-drop-all"), ITER_NUM, backend="microvm")
    per_kernel = {
        name: {"slug": "xdp-drop-all", "passed": k["passed"], "stage": k["stage"]}
        for name, k in OLD_WHOLE["kernels"].items()
    }
    verdict = {
        "slug": "xdp-drop-all",
        "passed": False,
        "stage": "done",
        "summary": OLD_WHOLE["summary"],
        "min_kernel": "",
        "kernels": {
            name: {**v, "summary": OLD_WHOLE["kernels"][name]["summary"]}
            for name, v in per_kernel.items()
        },
        "differences": ["loaded"],
    }
    Run.objects.filter(pk=run.pk).update(
        status=Run.DONE,
        passed=False,
        kernel=kernels.ALL,
        language="zh-hans",
        verdict=verdict,
        finished_at=timezone.now(),
    )
    RunEvent.objects.create(run=run, seq=1, kind="verdict", data=OLD_WHOLE)
    return Run.objects.get(pk=run.pk)


@pytest.mark.asyncio
async def test_it_reads_a_run_stored_with_the_wholes_words(learner) -> None:
    run = await sync_to_async(old_run)(learner)

    page = await sync_to_async(page_of)(run, learner, "en")
    events = await events_of(run, learner, "?lang=en")

    assert "Passed on 1 of 2 kernels." in matrix_section(page)
    assert events == [{"seq": 1, **OLD_WHOLE}]  # as it was stored
