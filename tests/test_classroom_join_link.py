"""A join link tells the learner at once whether it leads anywhere: the cohort's name and
instructor for an open cohort, "No open cohort has this code." for a closed or unknown
one, before they press Join."""

from __future__ import annotations

import pytest

from labs.models import Cohort
from tests.builders import client_for, make_cohort, make_instructor

pytestmark = pytest.mark.django_db

UNKNOWN = "No open cohort has this code."


def test_it_names_the_cohort_of_an_open_link(learner) -> None:
    cohort = make_cohort(make_instructor(), name="Spring 2027")

    page = client_for(learner).get(f"/classroom/join/{cohort.join_code}/").content.decode()

    assert "You are joining <strong>Spring 2027</strong>" in page and UNKNOWN not in page


def test_it_says_at_once_that_an_unknown_code_leads_nowhere(learner) -> None:
    page = client_for(learner).get("/classroom/join/NOPE1234/").content.decode()

    assert 'data-testid="unknown-code"' in page and UNKNOWN in page


def test_it_says_so_for_a_closed_cohort(learner) -> None:
    cohort = make_cohort(make_instructor())
    Cohort.objects.filter(pk=cohort.pk).update(is_open=False)

    page = client_for(learner).get(f"/classroom/join/{cohort.join_code}/").content.decode()

    assert 'data-testid="unknown-code"' in page


def test_it_asks_nothing_of_the_plain_join_page(learner) -> None:
    page = client_for(learner).get("/classroom/join/").content.decode()

    assert UNKNOWN not in page
