"""A lab the site's sandbox cannot run (kprobes need the microVM) is listed with a note,
its Run button is disabled, a submission is refused with the reason, and it does not
block the labs after it."""

from __future__ import annotations

import re

import pytest

from labs.models import Run
from tests.builders import make_finished_run, make_lab, make_stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def labs(settings):  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "local"
    stage = make_stage("kernel-functions", order=1)
    return [
        make_lab("tp-lab", stage=stage, order=1, title={"en": "tp-lab"}),
        make_lab(
            "kprobe-lab", stage=stage, order=2, title={"en": "kprobe-lab"}, backends=["microvm"]
        ),
        make_lab("ringbuf-lab", stage=stage, order=3, title={"en": "ringbuf-lab"}),
    ]


def card(html: str, slug: str) -> str:
    match = re.search(rf'<li class="[^"]*" data-lab="{slug}".*?</li>', html, re.S)
    assert match, f"no card for {slug}"
    return match.group(0)


def test_it_lists_the_lab_with_a_note_on_a_local_site(client, learner, labs):  # type: ignore[no-untyped-def]
    client.force_login(learner)

    html = client.get("/").content.decode()

    assert "Needs the microvm sandbox: not runnable on this site" in card(html, "kprobe-lab")
    assert "sandbox-note" not in card(html, "tp-lab") + card(html, "ringbuf-lab")


def test_it_shows_no_note_where_the_sandbox_can_run_it(client, learner, labs, settings):  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "microvm"
    client.force_login(learner)

    assert "sandbox-note" not in client.get("/").content.decode()
    assert "sandbox-note" not in client.get("/labs/kprobe-lab/").content.decode()


def test_it_disables_run_and_says_why_on_the_lab_page(client, learner, labs):  # type: ignore[no-untyped-def]
    client.force_login(learner)

    html = client.get("/labs/kprobe-lab/").content.decode()

    assert 'data-testid="sandbox-note"' in html
    assert "This lab needs the microvm sandbox" in html
    assert re.search(r'id="run-button" disabled', html)


def test_it_refuses_a_submission_with_the_reason_and_queues_nothing(client, learner, labs):  # type: ignore[no-untyped-def]
    client.force_login(learner)

    response = client.post("/labs/kprobe-lab/run/", {"source": "int x;"})

    assert response.status_code == 409
    assert "this site runs the local sandbox, so it cannot run here" in response.content.decode()
    assert not Run.objects.exists()


def test_it_unlocks_the_lab_after_it_when_the_one_before_passed(client, learner, labs):  # type: ignore[no-untyped-def]
    tp_lab, _kprobe_lab, _ringbuf_lab = labs
    make_finished_run(learner, tp_lab, passed=True)
    client.force_login(learner)

    home = client.get("/").content.decode()
    page = client.get("/labs/ringbuf-lab/").content.decode()

    assert "locked" not in card(home, "ringbuf-lab").split(">", 1)[0]
    assert " next" in card(home, "ringbuf-lab").split(">", 1)[0]
    assert "to unlock" not in page
