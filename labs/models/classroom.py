"""Classrooms and study plans: cohorts an instructor teaches, who belongs to them, the plan a
cohort follows with its due dates, and the plans learners follow on their own."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models

from labs.models.learning import Plan

# Instructors are the members of this group (granted in the admin or with
# `manage.py grant_instructor USERNAME`); superusers count as instructors too.
INSTRUCTORS_GROUP = "instructors"

# No 0/O or 1/I/L: join codes are read aloud and copied from slides.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="taught_cohorts"
    )
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    is_open = models.BooleanField(default=True, help_text="Whether new learners may join.")
    # The kernel its learners' runs get unless they pick another (labs/kernels.py).
    default_kernel = models.CharField(max_length=16, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="one_membership_per_cohort")
        ]


class CohortPlan(models.Model):
    """The plan a cohort follows. `stage_due_dates` maps a stage slug to an ISO date: by then
    every lab of that stage in the plan should be passed."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="plan")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cohort_plans")
    stage_due_dates = models.JSONField(default=dict, blank=True)
    assigned_at = models.DateTimeField(auto_now=True)

    def due_date(self, stage_slug: str) -> date | None:
        value = self.stage_due_dates.get(stage_slug)
        return date.fromisoformat(value) if value else None


class PlanEnrollment(models.Model):
    """A learner following a plan on their own. The most recently started one is current."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_enrollments"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="enrollments")
    target_date = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "plan"], name="one_enrollment_per_plan")
        ]
