"""A plan's page puts "Start this plan" (or, for a visitor, the way to log in) above its
list of labs, where a learner who has not started it looks; once started, the progress
leads and "Restart with this target" moves below the list."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.builders import client_for

pytestmark = pytest.mark.django_db


def position(page: str, marker: str) -> int:
    assert marker in page, marker
    return page.index(marker)


def test_it_offers_to_start_the_plan_above_its_labs(content, learner) -> None:
    page = client_for(learner).get("/plans/networking/").content.decode()

    assert position(page, "Start this plan") < position(page, 'id="plan-labs"')


def test_it_offers_a_visitor_to_log_in_above_the_labs(content) -> None:
    page = Client().get("/plans/networking/").content.decode()

    assert position(page, "to start this plan.") < position(page, 'id="plan-labs"')


def test_it_puts_the_restart_below_the_labs_once_started(content, learner) -> None:
    client = client_for(learner)
    client.post("/plans/networking/start/", {})

    page = client.get("/plans/networking/").content.decode()

    assert position(page, 'id="plan-labs"') < position(page, "Restart with this target")
    assert page.count('id="plan-start"') == 1
