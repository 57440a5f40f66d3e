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
