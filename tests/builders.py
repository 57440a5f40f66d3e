"""Builders with defaults, so each test states only what matters to it."""

from __future__ import annotations

from typing import Any

from django.test import Client

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


def client_for(user: Any) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def session_headers(user: Any) -> list[tuple[bytes, bytes]]:
    """The headers of `user`'s browser opening a websocket of this site (its session
    cookie, a same-site origin)."""
    from web.bench import session_cookie

    cookie = f"sessionid={session_cookie(user)}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1")]


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


def make_demo_site(learner: Any) -> dict[str, Any]:
    """The whole site with something on every page (needs the real curriculum loaded): the
    learner has a draft, runs of every kind and a plan, in a cohort whose plan has a stage
    already due; its instructor ("ingrid") sees them all."""
    from datetime import timedelta

    from django.utils import timezone

    from labs import plans
    from labs.models import CohortPlan, Draft, Plan, RunEvent

    instructor = make_instructor()
    cohort = make_cohort(instructor, learner, name="二班")
    plan = Plan.objects.first()
    due = (timezone.localdate() - timedelta(days=1)).isoformat()
    stages = {lab.stage.slug for lab in Lab.objects.filter(slug__in=plan.lab_slugs)}
    CohortPlan.objects.create(cohort=cohort, plan=plan, stage_due_dates=dict.fromkeys(stages, due))
    plans.start_plan(learner, plan, None)
    hello = Lab.objects.get(slug="hello-printk")
    counter = Lab.objects.get(slug="map-array-counter")
    Draft.objects.create(user=learner, lab=hello, source=hello.starter + "\n// 草稿\n")
    checks = [
        {
            "name": c["name"],
            "passed": i == 0,
            "expected": "XDP_PASS",
            "actual": "XDP_DROP",
            "describe": c.get("describe", {}),
        }
        for i, c in enumerate(hello.checks)
    ]
    make_finished_run(learner, hello, passed=False, stage="compile", source="int x")
    make_finished_run(
        learner,
        hello,
        passed=False,
        stage="load",
        source="int y;",
        verifier_log="0: (61) r2 = *(u32 *)(r1 +4)\ninvalid access to packet, off=0 size=1\n",
    )
    failed = make_finished_run(learner, hello, passed=False, checks=checks, source=hello.starter)
    passed = make_finished_run(
        learner,
        counter,
        passed=True,
        source=counter.solution,
        checks=[{**c, "passed": True} for c in checks],
    )
    events = [
        ("stage", {"stage": "compiling"}),
        ("compile", {"ok": True, "diagnostics": [{"severity": "warning", "line": 1}]}),
        ("load", {"ok": True}),
        ("check", checks[0]),
        ("trace", {"message": "Hello, eBPF!"}),
        ("map_dump", {"ok": True, "map": "pkt_count", "entries": [{"key": "00", "value": "01"}]}),
        ("verdict", {"checks": checks}),
        ("finished", {"status": "done", "passed": False}),
    ]
    for seq, (kind, data) in enumerate(events, start=1):
        RunEvent.objects.create(run=failed, seq=seq, kind=kind, data=data)
    return {
        "learner": learner,
        "instructor": instructor,
        "cohort": cohort,
        "plan": plan,
        "failed": failed,
        "passed": passed,
        "hello": hello,
    }


def execute_run_in_a_thread(run_id: int) -> None:
    """The runner, as a worker runs it, from a thread of the test's own (concurrent with what
    the test watches). Its database connection is closed when it is done: left open, it
    outlives the test and PostgreSQL refuses to drop the test database."""
    from django.db import connections

    from labs.runner import execute_run

    try:
        execute_run(run_id)
    finally:
        connections.close_all()


# Authored labs (labs/authoring.py): a curriculum lab's files under another name.


def authored_files(slug: str = "course-drop-all", base: str = "xdp-drop-all") -> dict[str, str]:
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "content" / "labs" / base
    files = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir() if p.is_file()}
    files["lab.yaml"] = files["lab.yaml"].replace(f"slug: {base}", f"slug: {slug}", 1)
    return files


def make_authored_lab(owner: Any, slug: str = "course-drop-all", **files: str) -> Any:
    from labs import authoring

    return authoring.create(owner, slug, {**authored_files(slug), **files})


def built_kernel_images() -> dict[str, Any]:
    """Every kernel's microVM image (sandbox/image.py), built when missing or stale, else
    cached; a kernel whose image does not build fails the test."""
    from sandbox import image as vm_image

    built, errors = vm_image.build_all(log=lambda message: None)
    assert not errors, errors
    return built
