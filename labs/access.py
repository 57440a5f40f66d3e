"""Who may see what. Every view and consumer asks here instead of filtering by hand."""

from __future__ import annotations

from typing import Any

from labs.models import INSTRUCTORS_GROUP, Cohort, Membership, Run


def _signed_in(user: Any) -> bool:
    return user is not None and user.is_authenticated


def is_instructor(user: Any) -> bool:
    if not _signed_in(user):
        return False
    return user.is_superuser or user.groups.filter(name=INSTRUCTORS_GROUP).exists()


def can_view_cohort(user: Any, cohort: Cohort) -> bool:
    """The dashboard, its CSV, charts and activity feed: the cohort's own instructor only.
    Other instructors do not see cohorts they do not teach."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    # Revoking the role (grant_instructor --revoke) also closes the cohorts they taught.
    return cohort.instructor_id == user.id and is_instructor(user)


def can_view_learner_in_cohort(user: Any, cohort: Cohort, learner: Any) -> bool:
    """A learner's code and runs, through the cohort: its instructor, for its members only."""
    if not can_view_cohort(user, cohort):
        return False
    return Membership.objects.filter(cohort=cohort, user_id=learner.pk).exists()


def teaches(user: Any, learner_id: int) -> bool:
    """Whether `user` is (still) the instructor of a cohort `learner_id` belongs to."""
    taught = Membership.objects.filter(user_id=learner_id, cohort__instructor_id=user.id)
    return taught.exists() and is_instructor(user)


def is_public_run(run: Run) -> bool:
    """A free-form run with no owner (an anonymous embed) or of a shared snippet (what its
    permalink shows): anyone holding its unguessable token may watch it."""
    submission = run.submission
    return submission.lab_id is None and (
        submission.user_id is None or submission.snippet_id is not None
    )


def can_watch_run(user: Any, run: Run) -> bool:
    if is_public_run(run):
        return True
    if not _signed_in(user):
        return False
    owner_id = run.submission.user_id
    return owner_id == user.id or user.is_superuser or teaches(user, owner_id)
