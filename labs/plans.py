"""Study plans: which labs a plan holds, how far a learner is, whether they are on pace, and
what to do next. Plain functions over the models; the views only render what these return."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from labs.models import Lab, Plan, PlanEnrollment, Progress, Stage

AHEAD, ON_TRACK, BEHIND, DONE = "ahead", "on_track", "behind", "done"
PACE_LABELS = {AHEAD: "ahead", ON_TRACK: "on track", BEHIND: "behind", DONE: "done"}


def lab_url(slug: str) -> str:
    return reverse("lab", args=[slug])


@dataclass
class PlanItem:
    slug: str
    lab: Lab | None  # None when the plan names a lab that is not loaded (yet)
    passed: bool
    attempted: bool
    due: date | None = None

    @property
    def url(self) -> str:
        return lab_url(self.slug)


@dataclass
class PlanProgress:
    plan: Plan
    items: list[PlanItem]
    enrollment: PlanEnrollment | None = None
    pace: str | None = None
    expected_count: int = 0
    finish_date: date | None = None

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def passed_count(self) -> int:
        return sum(item.passed for item in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.passed_count / self.total) if self.total else 0

    @property
    def next_item(self) -> PlanItem | None:
        return next((i for i in self.items if not i.passed and i.lab is not None), None)

    @property
    def pace_label(self) -> str:
        return PACE_LABELS.get(self.pace or "", "")

    @property
    def is_done(self) -> bool:
        return self.total > 0 and self.passed_count == self.total


@dataclass
class StageSlice:
    """The part of a plan that falls in one stage, in plan order."""

    stage: Stage
    labs: list[Lab] = field(default_factory=list)


def plan_labs(plan: Plan) -> dict[str, Lab]:
    labs = Lab.objects.filter(slug__in=plan.lab_slugs, is_active=True).select_related("stage")
    return {lab.slug: lab for lab in labs}


def plan_stages(plan: Plan) -> list[StageSlice]:
    labs = plan_labs(plan)
    slices: dict[int, StageSlice] = {}
    for slug in plan.lab_slugs:
        lab = labs.get(slug)
        if lab is not None:
            slices.setdefault(lab.stage_id, StageSlice(lab.stage)).labs.append(lab)
    return list(slices.values())


def progress_by_lab(user: Any, lab_ids: list[int]) -> dict[int, Progress]:
    if user is None or not user.is_authenticated:
        return {}
    rows = Progress.objects.filter(user=user, lab_id__in=lab_ids)
    return {row.lab_id: row for row in rows}


def plan_items(plan: Plan, user: Any) -> list[PlanItem]:
    labs = plan_labs(plan)
    progress = progress_by_lab(user, [lab.pk for lab in labs.values()])
    items = []
    for slug in plan.lab_slugs:
        lab = labs.get(slug)
        row = progress.get(lab.pk) if lab else None
        passed = row is not None and row.status == Progress.PASSED
        items.append(PlanItem(slug, lab, passed=passed, attempted=row is not None))
    return items


def due_dates(start: date, count: int, days_per_lab: int, target: date | None) -> list[date]:
    """When each lab should be passed: spread evenly up to the target date, or at the plan's
    suggested pace when there is none."""
    if count == 0:
        return []
    if target is None:
        return [start + timedelta(days=days_per_lab * (i + 1)) for i in range(count)]
    span = max((target - start).days, 1)
    return [start + timedelta(days=math.ceil(span * (i + 1) / count)) for i in range(count)]


def pace(passed: int, dues: list[date], today: date) -> tuple[str, int]:
    """Ahead / on track / behind, and how many labs should be passed by now. A lab counts as
    late only once its due day is over; passing more than is due through today is ahead."""
    if dues and passed >= len(dues):
        return DONE, len(dues)
    overdue = sum(due < today for due in dues)
    due_through_today = sum(due <= today for due in dues)
    if passed < overdue:
        return BEHIND, overdue
    if passed > due_through_today:
        return AHEAD, overdue
    return ON_TRACK, overdue


def enrollment_progress(enrollment: PlanEnrollment, today: date | None = None) -> PlanProgress:
    today = today or timezone.localdate()
    plan = enrollment.plan
    items = plan_items(plan, enrollment.user)
    start = timezone.localdate(enrollment.started_at)
    dues = due_dates(start, len(items), plan.days_per_lab, enrollment.target_date)
    for item, due in zip(items, dues, strict=True):
        item.due = due
    passed = sum(item.passed for item in items)
    state, expected = pace(passed, dues, today)
    return PlanProgress(
        plan=plan,
        items=items,
        enrollment=enrollment,
        pace=state,
        expected_count=expected,
        finish_date=dues[-1] if dues else None,
    )


def current_enrollment(user: Any) -> PlanEnrollment | None:
    if user is None or not user.is_authenticated:
        return None
    return PlanEnrollment.objects.filter(user=user).select_related("plan").first()


def start_plan(user: Any, plan: Plan, target_date: date | None) -> PlanEnrollment:
    """Starts (or restarts) a plan: it becomes the learner's current one, paced from today."""
    with transaction.atomic():
        enrollment, _ = PlanEnrollment.objects.update_or_create(
            user=user,
            plan=plan,
            defaults={"target_date": target_date, "started_at": timezone.now()},
        )
    return enrollment


def current_plan_summary(user: Any) -> PlanProgress | None:
    """What the home page leads with: the learner's current plan, its pace and next lab."""
    enrollment = current_enrollment(user)
    return enrollment_progress(enrollment) if enrollment else None
