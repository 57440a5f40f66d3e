"""Cohorts: instructors (granted by `manage.py grant_instructor`) create them; learners join
with the code or the link; nobody else creates one."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from labs.access import is_instructor
from labs.models import Cohort, Membership
from tests.builders import client_for, make_cohort, make_instructor

pytestmark = pytest.mark.django_db


def test_it_grants_and_revokes_the_instructor_role(learner):
    assert not is_instructor(learner)
    call_command("grant_instructor", "alice", verbosity=0)
    assert is_instructor(learner)
    call_command("grant_instructor", "alice", "--revoke", verbosity=0)
    assert not is_instructor(learner)


def test_it_refuses_to_grant_an_unknown_user():
    with pytest.raises(CommandError, match="no user named"):
        call_command("grant_instructor", "nobody", verbosity=0)


def test_it_lets_an_instructor_create_a_cohort():
    instructor = make_instructor()
    response = client_for(instructor).post("/classroom/cohorts/new/", {"name": "Spring A"})
    cohort = Cohort.objects.get(name="Spring A")
    assert response.status_code == 302 and response["Location"].endswith(f"/cohorts/{cohort.pk}/")
    assert cohort.instructor == instructor and len(cohort.join_code) == 8


@pytest.mark.parametrize("persona", ["learner", "outsider"])
def test_it_refuses_to_let_a_non_instructor_create_a_cohort(persona, request):
    user = request.getfixturevalue(persona)
    response = client_for(user).post("/classroom/cohorts/new/", {"name": "Mine"})
    assert response.status_code == 403
    assert not Cohort.objects.exists()


def test_it_lets_a_learner_join_with_the_code_once(learner):
    cohort = make_cohort(make_instructor())
    client = client_for(learner)
    for code in (cohort.join_code.lower(), cohort.join_code):
        response = client.post("/classroom/join/", {"code": code})
        assert response.status_code == 302
    assert Membership.objects.filter(cohort=cohort, user=learner).count() == 1
    assert cohort.name in client.get("/classroom/").content.decode()


def test_it_shows_the_join_link_with_the_cohorts_name(learner):
    cohort = make_cohort(make_instructor(), name="Evening class")
    page = client_for(learner).get(f"/classroom/join/{cohort.join_code}/").content.decode()
    assert "Evening class" in page and cohort.join_code in page


def test_it_refuses_a_wrong_or_closed_code(learner):
    cohort = make_cohort(make_instructor())
    client = client_for(learner)
    response = client.post("/classroom/join/", {"code": "NOPE2345"})
    assert response.status_code == 200 and "No open cohort" in response.content.decode()
    Cohort.objects.filter(pk=cohort.pk).update(is_open=False)
    client.post("/classroom/join/", {"code": cohort.join_code})
    assert not Membership.objects.exists()


def test_it_lists_only_the_instructors_own_cohorts():
    mine = make_cohort(make_instructor(), name="Mine")
    make_cohort(make_instructor("olga"), name="Olga's")
    page = client_for(mine.instructor).get("/classroom/").content.decode()
    assert "Mine" in page and "Olga&#x27;s" not in page and "Olga's" not in page
