"""A run's badge says where it is: a run still waiting for a worker is queued, not running."""

from __future__ import annotations

import pytest

from labs.models import Run
from tests.builders import make_lab, make_run

pytestmark = pytest.mark.django_db


def badges(client, user) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get("/labs/hello-printk/history/").content.decode()


def test_it_shows_a_queued_run_as_queued(client, learner):
    make_run(learner, make_lab(), source="int x;")

    html = badges(client, learner)

    assert '<span class="badge badge-running">Queued</span>' in html
    assert ">Running<" not in html


def test_it_shows_a_run_a_worker_took_as_running(client, learner):
    run = make_run(learner, make_lab(), source="int x;")
    Run.objects.filter(pk=run.pk).update(status=Run.COMPILING)

    html = badges(client, learner)

    assert '<span class="badge badge-running">Running</span>' in html


def test_it_says_queued_in_chinese_on_a_chinese_page(client, learner):
    make_run(learner, make_lab(), source="int x;")
    client.force_login(learner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    html = client.get("/labs/hello-printk/history/").content.decode()

    assert '<span class="badge badge-running">排队中</span>' in html
