"""A learner's progress through a study plan: labs passed, the next lab, due dates spread up
to the target date (or at the plan's pace), and whether they are ahead, on track or behind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from labs import plans
from labs.models import Lab, Plan, PlanEnrollment
from tests.builders import make_finished_run

START = date(2030, 3, 1)


def test_it_spreads_due_dates_evenly_up_to_the_target():
    dues = plans.due_dates(START, 4, days_per_lab=1, target=START + timedelta(days=8))
    assert dues == [START + timedelta(days=d) for d in (2, 4, 6, 8)]


def test_it_uses_the_plans_pace_without_a_target():
    dues = plans.due_dates(START, 3, days_per_lab=2, target=None)
    assert dues == [START + timedelta(days=d) for d in (2, 4, 6)]


def test_it_never_puts_two_labs_before_the_first_day_for_a_tight_target():
    dues = plans.due_dates(START, 3, days_per_lab=1, target=START)
    assert all(due >= START + timedelta(days=1) for due in dues)


@pytest.mark.parametrize(
    ("passed", "today_offset", "expected"),
    [
        (0, 0, "on_track"),  # nothing due yet
        (1, 0, "ahead"),  # a lab done before its due day
        (1, 2, "on_track"),  # the first lab was due today
        (0, 3, "behind"),  # the first lab's due day is over
        (1, 5, "behind"),  # two due days over, one passed
        (3, 5, "ahead"),
        (4, 100, "done"),
    ],
)
def test_it_tells_the_pace(passed, today_offset, expected):
    dues = plans.due_dates(START, 4, days_per_lab=2, target=None)  # due on days 2, 4, 6, 8
    state, _ = plans.pace(passed, dues, START + timedelta(days=today_offset))
    assert state == expected


@pytest.mark.django_db
def test_it_computes_progress_next_lab_and_pace_from_recorded_runs(content, learner):
    plan = Plan.objects.get(slug="tracing-debugging")
    started = datetime(2030, 3, 1, 9, tzinfo=UTC)
    enrollment = PlanEnrollment.objects.create(
        user=learner, plan=plan, started_at=started, target_date=date(2030, 3, 9)
    )

    make_finished_run(learner, Lab.objects.get(slug="hello-printk"), passed=True)
    make_finished_run(learner, Lab.objects.get(slug="printk-fields"), passed=False)

    progress = plans.enrollment_progress(enrollment, today=date(2030, 3, 6))

    assert [i.slug for i in progress.items] == plan.lab_slugs
    assert (progress.passed_count, progress.total, progress.percent) == (1, 4, 25)
    assert progress.next_item.slug == "printk-fields" and progress.items[1].attempted
    assert [i.due for i in progress.items] == [date(2030, 3, d) for d in (3, 5, 7, 9)]
    assert (progress.pace, progress.expected_count) == ("behind", 2)
    on_day_two = plans.enrollment_progress(enrollment, today=date(2030, 3, 2))
    assert on_day_two.pace == "ahead"


@pytest.mark.django_db
def test_it_makes_the_latest_started_plan_the_current_one(content, learner):
    first = plans.start_plan(learner, Plan.objects.get(slug="networking"), None)
    assert plans.current_enrollment(learner) == first
    second = plans.start_plan(learner, Plan.objects.get(slug="maps-verifier"), date(2099, 1, 1))
    assert plans.current_enrollment(learner) == second
    again = plans.start_plan(learner, Plan.objects.get(slug="networking"), None)
    assert again.pk == first.pk and plans.current_enrollment(learner) == again
    assert PlanEnrollment.objects.filter(user=learner).count() == 2
