"""Every dashboard view, for three personas: the cohort's instructor sees it, a learner in the
cohort and an outsider get 403, a missing object is 404, an anonymous visitor goes to login."""

from __future__ import annotations

import pytest
from django.test import Client

from labs.access import can_watch_run
from tests.builders import client_for, make_cohort, make_finished_run, make_instructor, make_lab

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor():  # type: ignore[no-untyped-def]
    return make_instructor()


@pytest.fixture
def cohort(instructor, learner):  # type: ignore[no-untyped-def]
    return make_cohort(instructor, learner)


@pytest.fixture
def learner_run(learner):  # type: ignore[no-untyped-def]
    return make_finished_run(learner, make_lab(), passed=False, source="int secret_code;")


def dashboard_urls(cohort, learner, run) -> list[str]:  # type: ignore[no-untyped-def]
    base = f"/classroom/cohorts/{cohort.pk}"
    return [
        f"{base}/",
        f"{base}/grid.csv",
        f"{base}/plan/",
        f"{base}/charts/pass-rate.svg",
        f"{base}/charts/attempts.svg",
        f"{base}/labs/{run.submission.lab.slug}/",
        f"{base}/learners/{learner.pk}/",
        f"{base}/runs/{run.pk}/",
    ]


def test_it_shows_every_view_to_the_cohorts_instructor(instructor, cohort, learner, learner_run):
    client = client_for(instructor)
    for url in dashboard_urls(cohort, learner, learner_run):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("persona", ["learner", "outsider", "other_instructor"])
def test_it_refuses_every_view_to_anyone_else(
    persona, request, cohort, learner, learner_run, outsider
):  # type: ignore[no-untyped-def]
    user = (
        make_instructor("olga")
        if persona == "other_instructor"
        else request.getfixturevalue(persona)
    )
    client = client_for(user)
    for url in dashboard_urls(cohort, learner, learner_run):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"secret_code" not in response.content


def test_it_sends_anonymous_visitors_to_login(cohort, learner, learner_run):
    for url in dashboard_urls(cohort, learner, learner_run):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_it_answers_404_for_a_missing_cohort(instructor):
    assert client_for(instructor).get("/classroom/cohorts/999999/").status_code == 404


def test_it_answers_404_for_a_learner_outside_the_cohort(instructor, cohort, outsider):
    make_finished_run(outsider, make_lab(), passed=True, source="int outsider_code;")
    response = client_for(instructor).get(f"/classroom/cohorts/{cohort.pk}/learners/{outsider.pk}/")
    assert response.status_code == 404
    assert b"outsider_code" not in response.content


def test_it_answers_404_for_a_run_of_a_learner_outside_the_cohort(instructor, cohort, outsider):
    run = make_finished_run(outsider, make_lab(), passed=True)
    response = client_for(instructor).get(f"/classroom/cohorts/{cohort.pk}/runs/{run.pk}/")
    assert response.status_code == 404


def test_it_does_not_let_an_instructor_reach_another_cohorts_learner_through_their_own(
    instructor, learner, outsider
):
    own = make_cohort(instructor, outsider, name="mine")
    make_cohort(make_instructor("olga"), learner, name="theirs")
    run = make_finished_run(learner, make_lab(), passed=True)
    client = client_for(instructor)
    assert client.get(f"/classroom/cohorts/{own.pk}/learners/{learner.pk}/").status_code == 404
    assert client.get(f"/classroom/cohorts/{own.pk}/runs/{run.pk}/").status_code == 404


def test_it_lets_the_instructor_watch_a_members_run_but_not_other_learners(
    instructor, cohort, learner, outsider, learner_run
):
    outsider_run = make_finished_run(outsider, make_lab(), passed=True)
    assert can_watch_run(instructor, learner_run)
    assert not can_watch_run(instructor, outsider_run)
    assert not can_watch_run(outsider, learner_run)
    assert not can_watch_run(learner, outsider_run)


def test_it_shows_the_instructor_the_learners_code_and_events(
    instructor, cohort, learner, learner_run
):
    from labs.events import publish

    publish(learner_run, {"event": "trace", "message": "drill-down line"})
    client = client_for(instructor)
    page = client.get(f"/classroom/cohorts/{cohort.pk}/learners/{learner.pk}/").content.decode()
    assert "int secret_code;" in page
    run_page = client.get(f"/classroom/cohorts/{cohort.pk}/runs/{learner_run.pk}/").content.decode()
    assert "int secret_code;" in run_page and "drill-down line" in run_page


def test_it_closes_the_dashboard_when_the_instructor_role_is_revoked(
    instructor, cohort, learner, learner_run
):
    from django.core.management import call_command

    client = client_for(instructor)
    assert client.get(f"/classroom/cohorts/{cohort.pk}/").status_code == 200
    call_command("grant_instructor", instructor.username, "--revoke", verbosity=0)
    assert client.get(f"/classroom/cohorts/{cohort.pk}/").status_code == 403
    assert not can_watch_run(instructor, learner_run)


def test_it_never_shows_a_learner_a_classmates_run(cohort, learner, django_user_model):
    from labs.models import Membership

    classmate = django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")
    Membership.objects.create(cohort=cohort, user=classmate)
    classmate_run = make_finished_run(classmate, make_lab(), passed=True, source="int bobs_code;")
    assert not can_watch_run(learner, classmate_run)
    client = client_for(learner)
    for url in (
        f"/runs/{classmate_run.token}/",
        f"/classroom/cohorts/{cohort.pk}/runs/{classmate_run.pk}/",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"bobs_code" not in response.content
