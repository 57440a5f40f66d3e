"""The study plan pages: a learner starts a plan with an optional target date and sees
progress, pace and the next lab; the home page partial leads with it; the nav links to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import timezone

from labs.models import Lab, Plan, PlanEnrollment
from labs.plans import current_plan_summary
from tests.builders import client_for, make_finished_run, make_instructor

pytestmark = pytest.mark.django_db


def test_it_lists_the_plans_from_content(content):
    page = Client().get("/plans/").content.decode()
    for slug in ("full-path", "networking", "maps-verifier", "tracing-debugging"):
        assert f'data-plan="{slug}"' in page
    assert "Networking with XDP and TC" in page


def test_it_starts_a_plan_with_a_target_date_and_shows_the_next_lab(content, learner):
    client = client_for(learner)
    target = timezone.localdate() + timedelta(days=14)
    make_finished_run(learner, Lab.objects.get(slug="hello-printk"), passed=True)

    response = client.post("/plans/networking/start/", {"target_date": target.isoformat()})

    assert response.status_code == 302 and response["Location"] == "/plans/networking/"
    enrollment = PlanEnrollment.objects.get(user=learner)
    assert enrollment.target_date == target
    page = client.get("/plans/networking/").content.decode()
    assert "1/7" in page
    assert 'class="plan-next-lab" href="/labs/xdp-drop-all/"' in page
    assert 'id="pace">ahead<' in page


def test_it_refuses_a_target_date_in_the_past(content, learner):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(learner).post("/plans/networking/start/", {"target_date": yesterday})
    assert response.status_code == 400
    assert not PlanEnrollment.objects.exists()


def test_it_sends_anonymous_visitors_to_login_to_start_a_plan(content):
    response = Client().post("/plans/networking/start/", {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not PlanEnrollment.objects.exists()


def test_it_shows_a_plan_late_learner_as_behind(content, learner):
    PlanEnrollment.objects.create(
        user=learner,
        plan=Plan.objects.get(slug="tracing-debugging"),
        started_at=timezone.now() - timedelta(days=10),
    )
    page = client_for(learner).get("/plans/tracing-debugging/").content.decode()
    assert 'id="pace">behind<' in page


def test_it_redirects_my_plan_to_the_current_plan_or_the_list(content, learner):
    client = client_for(learner)
    assert client.get("/plans/mine/")["Location"] == "/plans/"
    client.post("/plans/maps-verifier/start/", {})
    assert client.get("/plans/mine/")["Location"] == "/plans/maps-verifier/"


def test_it_renders_the_home_partial_for_the_learners_current_plan(content, learner, outsider):
    client_for(learner).post("/plans/full-path/start/", {})
    request = RequestFactory().get("/")
    request.user = learner
    html = render_to_string(
        "plans/_home_plan.html",
        {"plan_summary": current_plan_summary(learner), "user": learner},
        request=request,
    )
    size = len(Plan.objects.get(slug="full-path").lab_slugs)
    assert "The full path" in html and f"0/{size}" in html
    assert 'href="/labs/hello-printk/"' in html
    assert current_plan_summary(outsider) is None


def test_it_links_my_plan_and_teaching_in_the_nav(content, learner):
    learner_nav = render_to_string("classroom/_nav.html", {"user": learner})
    assert "/plans/mine/" in learner_nav and "Teaching" not in learner_nav
    instructor_nav = render_to_string("classroom/_nav.html", {"user": make_instructor()})
    assert "Teaching" in instructor_nav and "/classroom/" in instructor_nav


def test_it_shows_a_plan_to_an_anonymous_visitor_without_progress(content):
    page = Client().get("/plans/networking/").content.decode()
    assert 'data-lab="xdp-drop-all"' in page and "Log in" in page
    assert 'id="pace"' not in page
