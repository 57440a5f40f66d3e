"""A failure of the platform itself (not the learner's program) is stored as data, a reason
code and language-neutral values, and worded by each reader in their own language: a run
that failed in Chinese reads entirely in English on an English page, its socket and the
API. Real clang; the run's backend cannot be set up, which is the platform's failure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.utils import translation

from labs.grading import grade, words
from labs.management.commands.grade import human_report, json_report
from labs.spec import load_lab_by_slug
from tests.test_run_viewer_language import events_of

CJK = re.compile(r"[\u4e00-\u9fff]")
CONTENT = Path(__file__).resolve().parent.parent / "content"
SETUP_FAILED = "sandbox failure: the sandbox backend could not be set up"


def failed_run(learner, language: str):  # type: ignore[no-untyped-def]
    """hello-printk's solution, on a backend this site cannot set up."""
    from django.core.management import call_command

    from labs.models import Lab, Run, Submission
    from labs.runner import execute_run

    call_command("load_content", verbosity=0)
    lab = Lab.objects.get(slug="hello-printk")
    source = (CONTENT / "labs/hello-printk/solution.c").read_text()
    submission = Submission.objects.create(user=learner, lab=lab, source=source)
    run = Run.objects.create(submission=submission, backend="no-such-backend", language=language)
    execute_run(run.pk)
    run.refresh_from_db()
    return run


@pytest.mark.django_db(transaction=True)
def test_it_stores_a_platform_failure_as_a_code_without_words(learner):
    from labs.models import RunEvent

    run = failed_run(learner, "zh-hans")

    assert run.status == "error" and run.error == ""
    assert run.failure == {"code": "sandbox_setup"}
    assert run.verdict["error"] == run.failure
    stored = {
        e["event"]: e for e in RunEvent.objects.filter(run=run).values_list("data", flat=True)
    }
    assert stored["finished"]["error"] == run.failure
    assert stored["verdict"]["error"] == run.failure
    not_run = [e for e in RunEvent.objects.filter(run=run) if e.data["event"] == "check"]
    assert not_run and all(
        e.data["reason"] == {"code": "sandbox", "error": run.failure} for e in not_run
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_it_words_a_chinese_platform_failure_in_english_on_the_socket(learner):
    run = await sync_to_async(failed_run)(learner, "zh-hans")

    english = await events_of(run, learner, "?lang=en")
    chinese = await events_of(run, learner, "?lang=zh-hans")

    finished = next(e for e in english if e["event"] == "finished")
    verdict = next(e for e in english if e["event"] == "verdict")
    assert finished["error"] == SETUP_FAILED and finished["error_code"] == "sandbox_setup"
    assert verdict["summary"] == f"The sandbox failed: {SETUP_FAILED}"
    said = [{k: v for k, v in e.items() if k != "describe"} for e in english]  # both languages
    assert not CJK.search(json.dumps(said, ensure_ascii=False))
    assert CJK.search(next(e for e in chinese if e["event"] == "finished")["error"])
    assert CJK.search(next(e for e in chinese if e["event"] == "verdict")["summary"])


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_chinese_platform_failure_in_english_on_the_pages(client, learner):
    run = failed_run(learner, "zh-hans")
    client.force_login(learner)

    english = client.get(f"/runs/{run.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(f"/runs/{run.token}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "The run failed" in english and SETUP_FAILED in english
    assert "沙箱故障" not in english and "沙箱故障" in chinese


@pytest.mark.django_db
def test_it_shows_an_old_run_failure_as_it_was_stored(client, learner):
    from tests.builders import make_run

    run = make_run(learner)
    run.status, run.error = "error", "评分时出现内部错误：boom"
    run.save()
    client.force_login(learner)

    html = client.get(f"/runs/{run.token}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    with translation.override("en"):
        assert run.error_words == "评分时出现内部错误：boom"
    assert "评分时出现内部错误：boom" in html


def test_it_gives_the_failure_code_in_grade_json():
    lab = load_lab_by_slug(CONTENT, "xdp-drop-all")
    with translation.override("zh-hans"):
        verdict = grade(lab, lab.solution, backend="no-such-backend")

    with translation.override("en"):
        report = json_report(verdict)
        lines = human_report(verdict)

    assert verdict.error == {"code": "sandbox_setup"}
    assert report["error"] == SETUP_FAILED and report["error_code"] == "sandbox_setup"
    assert f"  sandbox error: {SETUP_FAILED}" in lines
    assert words.failure_words(verdict.error) == SETUP_FAILED


@pytest.mark.django_db
def test_it_words_a_failed_api_run_in_the_language_of_the_request(client, learner):
    from labs.models import ApiToken, Run
    from labs.runner import execute_run

    _token, key = ApiToken.issue(learner, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = json.dumps({"source": (CONTENT / "labs/hello-printk/solution.c").read_text()})
    token = client.post(
        "/api/v1/runs",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
        **auth,
    ).json()["token"]
    Run.objects.filter(token=token).update(backend="no-such-backend")
    execute_run(Run.objects.get(token=token).pk)

    english = client.get(f"/api/v1/runs/{token}", HTTP_ACCEPT_LANGUAGE="en", **auth).json()

    assert Run.objects.get(token=token).failure == {"code": "sandbox_setup"}
    assert english["error"] == SETUP_FAILED and english["error_code"] == "sandbox_setup"
    assert english["verdict"]["error"] == SETUP_FAILED
    assert english["verdict"]["error_code"] == "sandbox_setup"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_it_words_the_finished_event_of_the_event_stream_in_its_lang(learner):
    from channels.testing import HttpCommunicator

    from labs.models import ApiToken
    from web.asgi import application

    run = await sync_to_async(failed_run)(learner, "zh-hans")
    _token, key = await sync_to_async(ApiToken.issue)(learner, "t")

    async def finished(query: str) -> dict:  # type: ignore[type-arg]
        path = f"/api/v1/runs/{run.token}/events"
        headers = [(b"authorization", f"Bearer {key}".encode())]
        communicator = HttpCommunicator(application, "GET", path, headers=headers)
        communicator.scope["query_string"] = query.encode()
        response = await communicator.get_response(timeout=10)
        last = response["body"].decode().strip().split("\n\n")[-1]
        assert last.splitlines()[1] == "event: finished"
        return json.loads(last.splitlines()[2].removeprefix("data: "))

    english, own = await finished("lang=en"), await finished("")

    assert english["error"] == SETUP_FAILED and english["error_code"] == "sandbox_setup"
    assert CJK.search(own["error"]) and own["error_code"] == "sandbox_setup"
