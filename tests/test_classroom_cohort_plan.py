"""An instructor assigns a plan to a cohort with a due date per stage; the grid follows the
plan's labs and the dashboard shows who is behind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from labs import classroom
from labs.models import CohortPlan, Lab, Plan
from tests.builders import make_cohort, make_finished_run, make_instructor

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(content, learner, django_user_model):  # type: ignore[no-untyped-def]
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")
    return make_cohort(make_instructor(), learner, bob)


def instructor_client(cohort) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cohort.instructor)
    return client


def test_it_offers_a_due_date_per_stage_of_the_chosen_plan(cohort):
    page = instructor_client(cohort).get(
        f"/classroom/cohorts/{cohort.pk}/plan/?plan=tracing-debugging"
    )
    html = page.content.decode()
    for stage in ("printk", "verifier", "tracing"):
        assert f'name="due_{stage}"' in html
    assert 'name="due_xdp"' not in html


def test_it_assigns_a_plan_and_shows_who_is_behind(cohort, learner):
    today = timezone.localdate()
    yesterday, next_week = today - timedelta(days=1), today + timedelta(days=7)
    form = {"plan": "tracing-debugging", "due_printk": today, "due_verifier": next_week}
    response = instructor_client(cohort).post(f"/classroom/cohorts/{cohort.pk}/plan/", form)
    assert response.status_code == 302
    cohort_plan = CohortPlan.objects.get(cohort=cohort)
    assert cohort_plan.stage_due_dates == {
        "printk": today.isoformat(),
        "verifier": next_week.isoformat(),
    }
    # A day later the first due date has passed.
    cohort_plan.stage_due_dates["printk"] = yesterday.isoformat()
    cohort_plan.save()
    for slug in ("hello-printk", "printk-fields"):
        make_finished_run(learner, Lab.objects.get(slug=slug), passed=True)

    standings = {s.learner.username: s for s in classroom.standings(cohort)}

    assert not standings["alice"].is_behind
    assert [stage.slug for stage in standings["bob"].overdue] == ["printk"]
    grid = classroom.build_grid(cohort)
    assert [lab.slug for lab in grid.labs] == cohort_plan.plan.lab_slugs
    page = instructor_client(cohort).get(f"/classroom/cohorts/{cohort.pk}/").content.decode()
    bob_line = page[page.index('<li data-learner="bob">') :].split("</li>")[0]
    assert "behind" in bob_line


def test_it_refuses_a_new_due_date_in_the_past_but_keeps_a_stored_one(cohort):
    yesterday = timezone.localdate() - timedelta(days=1)
    url = f"/classroom/cohorts/{cohort.pk}/plan/"
    response = instructor_client(cohort).post(
        url, {"plan": "tracing-debugging", "due_printk": yesterday}
    )
    assert (
        response.status_code == 200 and "Pick today or a later date." in response.content.decode()
    )
    assert not CohortPlan.objects.exists()
    plan = Plan.objects.get(slug="tracing-debugging")
    CohortPlan.objects.create(
        cohort=cohort, plan=plan, stage_due_dates={"printk": yesterday.isoformat()}
    )
    form = {"plan": "tracing-debugging", "due_printk": yesterday, "due_verifier": ""}
    assert instructor_client(cohort).post(url, form).status_code == 302


def test_it_refuses_the_plan_form_to_a_learner_in_the_cohort(cohort, learner):
    client = Client()
    client.force_login(learner)
    response = client.post(f"/classroom/cohorts/{cohort.pk}/plan/", {"plan": "networking"})
    assert response.status_code == 403
    assert not CohortPlan.objects.exists()


def test_it_shows_learners_their_cohorts_plan_and_due_dates(cohort, learner):
    due = timezone.localdate() + timedelta(days=3)
    CohortPlan.objects.create(
        cohort=cohort,
        plan=Plan.objects.get(slug="networking"),
        stage_due_dates={"xdp": due.isoformat()},
    )
    client = Client()
    client.force_login(learner)
    page = client.get("/classroom/").content.decode()
    assert "Networking with XDP and TC" in page and due.isoformat() in page
