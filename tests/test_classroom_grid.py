"""The roster x labs grid: status, attempts and time to pass per learner and lab, sortable,
and the same grid as CSV for the cohort's instructor only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from labs import classroom
from labs.models import Progress, Submission
from tests.builders import make_cohort, make_finished_run, make_instructor, make_lab

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")


@pytest.fixture
def labs():  # type: ignore[no-untyped-def]
    return [make_lab("hello-printk", order=1), make_lab("printk-fields", order=2)]


@pytest.fixture
def cohort(learner, bob):  # type: ignore[no-untyped-def]
    return make_cohort(make_instructor(), learner, bob)


def backdate_first_submission(user, lab, minutes: int) -> None:  # type: ignore[no-untyped-def]
    first = Submission.objects.filter(user=user, lab=lab).order_by("created_at").first()
    Submission.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_it_shows_status_attempts_and_time_to_pass(cohort, learner, bob, labs):
    hello, fields = labs
    make_finished_run(learner, hello, passed=False, stage="compile")
    make_finished_run(learner, hello, passed=True)
    backdate_first_submission(learner, hello, 90)
    make_finished_run(bob, fields, passed=False, stage="done")

    grid = classroom.build_grid(cohort)

    assert [row.learner.username for row in grid.rows] == ["alice", "bob"]
    alice_hello, alice_fields = grid.rows[0].cells
    assert (alice_hello.status, alice_hello.attempts) == ("passed", 2)
    assert timedelta(minutes=89) < alice_hello.time_to_pass < timedelta(minutes=91)
    assert alice_fields.status == "not_started" and alice_fields.time_to_pass is None
    bob_fields = grid.rows[1].cells[1]
    assert (bob_fields.status, bob_fields.attempts, bob_fields.time_to_pass) == (
        "attempted",
        1,
        None,
    )


def test_it_sorts_by_a_lab_column_and_by_totals(cohort, learner, bob, labs):
    hello, fields = labs
    make_finished_run(bob, hello, passed=True)
    make_finished_run(bob, fields, passed=True)
    make_finished_run(learner, hello, passed=False)

    by_lab = classroom.build_grid(cohort, sort="lab:hello-printk", descending=True)
    assert [r.learner.username for r in by_lab.rows] == ["bob", "alice"]
    by_lab_up = classroom.build_grid(cohort, sort="lab:hello-printk")
    assert [r.learner.username for r in by_lab_up.rows] == ["alice", "bob"]
    by_passed = classroom.build_grid(cohort, sort="passed", descending=True)
    assert [r.learner.username for r in by_passed.rows] == ["bob", "alice"]
    unknown = classroom.build_grid(cohort, sort="lab:nope", descending=True)
    assert unknown.sort == "learner" and [r.learner.username for r in unknown.rows] == [
        "bob",
        "alice",
    ]


def test_it_sorts_the_dashboard_through_the_query_string(cohort, learner, bob, labs):
    make_finished_run(bob, labs[0], passed=True)
    client = Client()
    client.force_login(cohort.instructor)
    page = client.get(f"/classroom/cohorts/{cohort.pk}/?sort=passed&dir=desc").content.decode()
    assert page.index('data-learner="bob"') < page.index('data-learner="alice"')
    page = client.get(f"/classroom/cohorts/{cohort.pk}/?sort=learner").content.decode()
    assert page.index('data-learner="alice"') < page.index('data-learner="bob"')


def test_it_exports_the_grid_as_csv(cohort, learner, bob, labs):
    hello, _ = labs
    make_finished_run(learner, hello, passed=False)
    make_finished_run(learner, hello, passed=True)
    backdate_first_submission(learner, hello, 30)
    client = Client()
    client.force_login(cohort.instructor)

    response = client.get(f"/classroom/cohorts/{cohort.pk}/grid.csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    title = hello.title_text()
    assert rows[0][:6] == [
        "learner",
        "labs passed",
        "attempts",
        f"{title}: status",
        f"{title}: attempts",
        f"{title}: minutes to pass",
    ]
    alice = next(r for r in rows if r[0] == "alice")
    assert alice[1:6] == ["1", "2", "passed", "2", alice[5]]
    assert 29 <= int(alice[5]) <= 31
    bob_row = next(r for r in rows if r[0] == "bob")
    assert bob_row[1:5] == ["0", "0", "not started", "0"]
    assert len(rows) == 3


def test_it_leaves_learners_outside_the_cohort_off_the_grid(cohort, outsider, labs):
    make_finished_run(outsider, labs[0], passed=True)
    grid = classroom.build_grid(cohort)
    assert "charlie" not in [row.learner.username for row in grid.rows]
    assert Progress.objects.filter(user=outsider).exists()


def test_it_keeps_spreadsheets_from_running_a_username_as_a_formula(cohort, django_user_model):
    from labs.models import Membership

    sneaky = django_user_model.objects.create_user("-2+3", "x@example.org", "correct horse 5")
    Membership.objects.create(cohort=cohort, user=sneaky)
    client = Client()
    client.force_login(cohort.instructor)
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/classroom/cohorts/{cohort.pk}/grid.csv").content.decode())
        )
    )
    assert "'-2+3" in [row[0] for row in rows]
