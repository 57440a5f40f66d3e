"""A run's page belongs to its owner: others get 404, visitors are sent to log in; a run whose
worker died is queued again (or, after its last attempt, failed with a reason) when its page
is shown, never left spinning; a queued run's page says why it waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from labs.models import Run
from tests.builders import make_lab, make_run

pytestmark = pytest.mark.django_db


def test_it_shows_the_owner_the_code_that_ran_and_the_websocket_path(client, learner):
    run = make_run(learner, make_lab(), source="int the_code_that_ran;\n")
    client.force_login(learner)
    html = client.get(f"/runs/{run.token}/").content.decode()
    assert "int the_code_that_ran;" in html
    assert f"/ws/runs/{run.token}/" in html


def test_it_answers_404_to_another_learner(client, learner, outsider):
    run = make_run(learner, make_lab(), source="int secret;\n")
    client.force_login(outsider)
    response = client.get(f"/runs/{run.token}/")
    assert response.status_code == 404
    assert "secret" not in response.content.decode()
    assert client.get(f"/runs/{run.token}/diff/").status_code == 404


def test_it_sends_a_visitor_to_log_in(client, learner):
    run = make_run(learner, make_lab())
    response = client.get(f"/runs/{run.token}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_answers_404_for_a_made_up_token(client, learner):
    client.force_login(learner)
    assert client.get("/runs/not-a-real-token/").status_code == 404


def lose_worker(run: Run, attempt: int) -> None:
    """The run's worker died at this attempt: its lease ran out a minute ago."""
    Run.objects.filter(pk=run.pk).update(
        status=Run.RUNNING,
        attempt=attempt,
        lease_owner="gone@host/1",
        lease_expires_at=timezone.now() - timedelta(seconds=60),
    )


def test_it_marks_a_run_whose_worker_died_on_its_last_attempt_failed(client, learner, settings):
    settings.RUN_MAX_ATTEMPTS = 3
    run = make_run(learner, make_lab())
    lose_worker(run, attempt=3)
    client.force_login(learner)
    html = client.get(f"/runs/{run.token}/").content.decode()
    run.refresh_from_db()
    assert run.status == Run.ERROR and "did not finish" in run.error_words
    assert "The run failed" in html and "stopped 3 times" in html
    assert run.events.last().data == {
        "event": "finished",
        "status": "error",
        "passed": False,
        "error": {"code": "worker_lost", "attempts": 3},
        "attempt": 3,
    }


def test_it_queues_again_a_run_whose_worker_died_before_its_last_attempt(client, learner):
    run = make_run(learner, make_lab())
    lose_worker(run, attempt=1)
    client.force_login(learner)
    html = client.get(f"/runs/{run.token}/").content.decode()
    run.refresh_from_db()
    assert run.status == Run.QUEUED and run.attempt == 1 and run.lease_owner == ""
    assert run.events.last().data["attempt"] == 2 and run.events.last().data["retry"] is True
    assert "Waiting for a worker" in html


def test_it_leaves_a_long_queued_run_queued_and_says_it_waits_for_a_worker(client, learner):
    run = make_run(learner, make_lab())
    Run.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(learner)
    html = client.get(f"/runs/{run.token}/").content.decode()
    run.refresh_from_db()
    assert run.status == Run.QUEUED
    assert 'data-testid="waiting"' in html and "Waiting for a worker" in html


def test_it_shows_a_finished_runs_checks_and_trace_without_javascript(client, learner):
    from tests.builders import make_finished_run

    checks = [
        {"name": "prints-hello", "passed": True, "expected": "XDP_PASS", "actual": "XDP_PASS"}
    ]
    run = make_finished_run(learner, make_lab(), passed=True, checks=checks, source="int x;")
    Run.objects.filter(pk=run.pk).update(verdict={**run.verdict, "trace": ["Hello, eBPF!"]})
    client.force_login(learner)
    html = client.get(f"/runs/{run.token}/").content.decode()
    noscript = html.split("<noscript>", 2)[-1]
    assert "prints-hello" in noscript and "Hello, eBPF!" in noscript
    assert 'http-equiv="refresh"' not in html


def test_it_refreshes_an_unfinished_run_page_without_javascript(client, learner):
    run = make_run(learner, make_lab())
    client.force_login(learner)
    assert 'http-equiv="refresh"' in client.get(f"/runs/{run.token}/").content.decode()
