"""Pressing Run: a plain form POST saves the Submission and its Run, queues the run after the
transaction commits, and redirects to the run's page; limits answer 413/429 with a message."""

from __future__ import annotations

import pytest

from labs.models import Draft, Run, Submission
from tests.builders import make_lab, make_run

pytestmark = pytest.mark.django_db

SOURCE = "#include <linux/bpf.h>\nint x;\n"


def test_it_saves_the_submission_and_redirects_to_the_run_page(
    client, learner, django_capture_on_commit_callbacks
):
    lab = make_lab()
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/labs/hello-printk/run/", {"source": SOURCE})
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/runs/{run.token}/"
    assert run.submission.source == SOURCE and run.submission.lab == lab
    assert run.submission.user == learner and run.status == Run.QUEUED
    assert len(callbacks) == 1, "the run is queued only once the transaction commits"
    assert Draft.objects.get(user=learner, lab=lab).source == SOURCE


def test_it_uses_an_unguessable_token_in_the_run_url(client, learner):
    make_lab()
    client.force_login(learner)
    client.post("/labs/hello-printk/run/", {"source": SOURCE})
    client.post("/labs/hello-printk/run/", {"source": SOURCE + "\n"})
    tokens = list(Run.objects.values_list("token", flat=True))
    assert len(set(tokens)) == 2 and all(len(t) >= 32 for t in tokens)


def test_it_refuses_an_oversized_source_with_413_and_says_why(client, learner, settings):
    settings.MAX_SOURCE_BYTES = 50
    make_lab()
    client.force_login(learner)
    response = client.post("/labs/hello-printk/run/", {"source": "x" * 60})
    assert response.status_code == 413
    assert "60 bytes; the limit is 50 bytes" in response.content.decode()
    assert not Submission.objects.exists()


def test_it_refuses_too_many_runs_a_minute_with_429_and_a_message(client, learner, settings):
    settings.RUNS_PER_MINUTE = 1
    settings.MAX_CONCURRENT_RUNS = 10
    lab = make_lab()
    make_run(learner, lab, source=SOURCE)
    client.force_login(learner)
    # Other code than the run in flight (the same code would join that run).
    response = client.post("/labs/hello-printk/run/", {"source": SOURCE + "// again\n"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'data-testid="refusal"' in html and "in the last minute (limit 1)" in html
    assert SOURCE.splitlines()[1] in html, "the learner's code stays in the editor"
    assert Submission.objects.count() == 1


def test_it_refuses_too_many_concurrent_runs_with_429(client, learner, settings):
    settings.MAX_CONCURRENT_RUNS = 1
    lab = make_lab()
    make_run(learner, lab, source=SOURCE)
    client.force_login(learner)
    response = client.post("/labs/hello-printk/run/", {"source": SOURCE + "// again\n"})
    assert response.status_code == 429
    assert "runs in progress" in response.content.decode()


def test_it_refuses_an_empty_source(client, learner):
    make_lab()
    client.force_login(learner)
    assert client.post("/labs/hello-printk/run/", {"source": "  \n"}).status_code == 400
    assert not Submission.objects.exists()


def test_it_sends_a_visitor_to_log_in(client):
    make_lab()
    response = client.post("/labs/hello-printk/run/", {"source": SOURCE})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Submission.objects.exists()


def test_it_stores_the_browsers_crlf_line_breaks_as_lf(client, learner):
    make_lab()
    client.force_login(learner)
    client.post("/labs/hello-printk/run/", {"source": SOURCE.replace("\n", "\r\n")})
    client.post("/labs/hello-printk/draft/", {"source": "int a;\r\nint b;\r\n"})
    assert Submission.objects.get().source == SOURCE
    assert Draft.objects.get().source == "int a;\nint b;\n"


def test_it_sends_a_get_of_the_run_url_back_to_the_lab(client, learner):
    make_lab()
    client.force_login(learner)
    response = client.get("/labs/hello-printk/run/")
    assert response.status_code == 302 and response["Location"] == "/labs/hello-printk/"
    assert not Submission.objects.exists()
