"""Run is idempotent while a run of the same source is in flight: fast repeated clicks land
on that one run; an empty editor gets a message instead of silence."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from labs.models import Run
from tests.builders import make_lab

SOURCE = "#include <linux/bpf.h>\nint x;\n"


@pytest.mark.django_db
def test_it_joins_the_run_of_the_same_source_still_in_flight(client, learner):
    make_lab()
    client.force_login(learner)
    locations = {
        client.post("/labs/hello-printk/run/", {"source": SOURCE})["Location"] for _ in range(5)
    }
    assert Run.objects.count() == 1 and locations == {f"/runs/{Run.objects.get().token}/"}


@pytest.mark.django_db
def test_it_starts_a_new_run_for_changed_code_or_once_the_first_finished(client, learner, settings):
    settings.MAX_CONCURRENT_RUNS = 5
    make_lab()
    client.force_login(learner)
    client.post("/labs/hello-printk/run/", {"source": SOURCE})
    client.post("/labs/hello-printk/run/", {"source": SOURCE + "// changed\n"})
    assert Run.objects.count() == 2
    Run.objects.update(status=Run.DONE)
    client.post("/labs/hello-printk/run/", {"source": SOURCE})
    assert Run.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_run_of_simultaneous_clicks(learner):
    make_lab()
    results: list[str] = []

    def click() -> None:
        browser = Client()
        browser.force_login(learner)
        try:
            results.append(browser.post("/labs/hello-printk/run/", {"source": SOURCE})["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Run.objects.count() == 1 and len(results) == 4 and len(set(results)) == 1


@pytest.mark.django_db
def test_it_says_the_editor_is_empty(client, learner):
    make_lab()
    client.force_login(learner)
    response = client.post("/labs/hello-printk/run/", {"source": "  \n"})
    assert response.status_code == 400
    assert "The editor is empty" in response.content.decode()
    assert "required" not in response.content.decode().split('name="source"')[1].split(">")[0]
