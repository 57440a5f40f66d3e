"""Builders with defaults, so each test states only what matters to it."""

from __future__ import annotations

from typing import Any

from labs.models import Lab, Run, Stage, Submission


def make_stage(slug: str = "printk", order: int = 1) -> Stage:
    stage, _ = Stage.objects.get_or_create(
        slug=slug, defaults={"order": order, "title": {"en": slug}, "summary": {"en": ""}}
    )
    return stage


def make_lab(slug: str = "hello-printk", **fields: Any) -> Lab:
    existing = Lab.objects.filter(slug=slug).first()
    if existing:
        return existing
    defaults: dict[str, Any] = {
        "stage": make_stage(),
        "order": 1,
        "title": {"en": slug},
        "program_type": "xdp",
        "section": "xdp",
        "starter": "",
        "solution": "",
        "content_hash": "test",
    }
    defaults.update(fields)
    return Lab.objects.create(slug=slug, **defaults)


def make_run(user: Any, lab: Lab | None = None, source: str = "", backend: str = "local") -> Run:
    submission = Submission.objects.create(user=user, lab=lab or make_lab(), source=source)
    return Run.objects.create(submission=submission, backend=backend)


# Classroom builders: an instructor, a cohort with members, finished runs with verdicts.


def make_instructor(username: str = "ingrid") -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from labs.models import INSTRUCTORS_GROUP

    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "correct horse 2"
    )
    user.groups.add(Group.objects.get_or_create(name=INSTRUCTORS_GROUP)[0])
    return user


def make_cohort(instructor: Any, *members: Any, name: str = "Cohort A") -> Any:
    from labs.models import Cohort, Membership

    cohort = Cohort.objects.create(name=name, instructor=instructor)
    for member in members:
        Membership.objects.create(cohort=cohort, user=member)
    return cohort


def make_finished_run(
    user: Any,
    lab: Lab | None = None,
    *,
    passed: bool,
    stage: str = "done",
    checks: list[dict[str, Any]] | None = None,
    verifier_log: str = "",
    source: str = "",
    status: str = Run.DONE,
) -> Run:
    """A graded run as the runner leaves it: verdict stored, progress recorded."""
    from django.utils import timezone

    from labs.runner import record_progress

    run = make_run(user, lab, source=source)
    verdict = {
        "stage": stage,
        "passed": passed,
        "checks": checks or [],
        "verifier_log": verifier_log,
    }
    Run.objects.filter(pk=run.pk).update(
        status=status,
        passed=passed,
        stage_reached=stage,
        verdict=verdict,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    if status == Run.DONE:
        record_progress(run, passed)
    return run


def make_free_run(
    user: Any, source: str, settings: dict[str, Any] | None = None, backend: str = "local"
) -> Run:
    """A queued playground run (no lab) with its settings as labs.playground stores them."""
    from labs.playground import parse_settings

    submission = Submission.objects.create(
        user=user,
        lab=None,
        source=source,
        via=Submission.PLAYGROUND,
        settings=parse_settings(settings or {}).to_dict(),
    )
    return Run.objects.create(submission=submission, backend=backend)
