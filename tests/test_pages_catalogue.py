"""The catalogue: every lab with the learner's status, what is locked and what comes next."""

from __future__ import annotations

import re

import pytest

from tests.builders import make_finished_run, make_lab, make_stage

pytestmark = pytest.mark.django_db


def three_labs():
    stage = make_stage("xdp", order=1)
    return [
        make_lab(slug, stage=stage, order=i, title={"en": slug})
        for i, slug in enumerate(["a-lab", "b-lab", "c-lab"], start=1)
    ]


def card(html: str, slug: str) -> str:
    match = re.search(rf'<li class="([^"]*)" data-lab="{slug}" data-status="([^"]*)"', html)
    assert match, f"no card for {slug}"
    return f"{match.group(1)} status={match.group(2)}"


def test_it_shows_every_lab_not_started_to_a_new_learner(client, learner):
    three_labs()
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert "status=not_started" in card(html, "a-lab")
    assert " next" in card(html, "a-lab")
    assert "locked" in card(html, "b-lab") and "locked" in card(html, "c-lab")


def test_it_marks_attempted_and_passed_labs_and_unlocks_the_next(client, learner):
    first, second, third = three_labs()
    make_finished_run(learner, first, passed=True)
    make_finished_run(learner, second, passed=False)
    client.force_login(learner)
    html = client.get("/").content.decode()
    assert "status=passed" in card(html, "a-lab")
    assert "status=attempted" in card(html, "b-lab")
    assert "locked" not in card(html, "b-lab") and " next" in card(html, "b-lab")
    assert "locked" in card(html, "c-lab")
    assert "Pass “b-lab” to unlock" in html


def test_it_shows_the_catalogue_to_a_visitor_with_a_sign_up_link(client):
    three_labs()
    response = client.get("/")
    assert response.status_code == 200
    assert "/accounts/signup/" in response.content.decode()
    assert "status=not_started" in card(response.content.decode(), "c-lab")
