"""The learning domain's tables. Content rows are written only by `load_content`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from labs.i18n import pick


class TitledContent:
    """Content rows whose title and summary are {"en": ..., "zh-hans": ...} dicts."""

    slug: str
    title: dict[str, str]
    summary: dict[str, str]

    def __str__(self) -> str:
        return self.slug

    def title_text(self) -> str:
        return pick(self.title)

    def summary_text(self) -> str:
        return pick(self.summary)


class Stage(TitledContent, models.Model):
    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["order"]


class Lab(TitledContent, models.Model):
    slug = models.SlugField(unique=True)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="labs")
    order = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    lesson = models.JSONField(default=dict)
    hints = models.JSONField(default=dict)
    program_type = models.CharField(max_length=32)
    section = models.CharField(max_length=128)
    starter = models.TextField()
    solution = models.TextField()
    checks = models.JSONField(default=list)
    # Kernel names of sandbox/kernels.lock ("6.12"); empty: no requirement / no preference.
    min_kernel = models.CharField(max_length=16, blank=True, default="")
    default_kernel = models.CharField(max_length=16, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage__order", "order"]

    def lesson_text(self) -> str:
        return pick(self.lesson)

    def hint_list(self) -> list[str]:
        return pick(self.hints) or []


class Plan(models.Model):
    slug = models.SlugField(unique=True)
    order = models.PositiveIntegerField(default=0)
    title = models.JSONField(default=dict)
    description = models.JSONField(default=dict)
    lab_slugs = models.JSONField(default=list)
    days_per_lab = models.PositiveIntegerField(default=2)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.slug


class Draft(models.Model):
    """The learner's work in progress, saved as they type so another browser sees it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE)
    source = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lab"], name="one_draft_per_lab")]


class Submission(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions")
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


def new_run_token() -> str:
    return secrets.token_urlsafe(24)


class Run(models.Model):
    """One grading of a submission. A small state machine, moved only by conditional updates:
    queued -> compiling -> running -> done | error."""

    QUEUED, COMPILING, RUNNING, DONE, ERROR = "queued", "compiling", "running", "done", "error"
    STATUSES = [(s, s) for s in (QUEUED, COMPILING, RUNNING, DONE, ERROR)]
    FINISHED = (DONE, ERROR)

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="runs")
    token = models.CharField(max_length=64, unique=True, default=new_run_token)
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    backend = models.CharField(max_length=16)
    # The microVM kernel it runs on ("6.12"), "all" for a run on every kernel the site
    # offers (labs/kernels.py), empty on a backend that uses the host's kernel.
    kernel = models.CharField(max_length=16, blank=True, default="")
    # The language of the page it was submitted from: the grader words its checks in it.
    language = models.CharField(max_length=16, default="en")
    passed = models.BooleanField(null=True)
    stage_reached = models.CharField(max_length=16, blank=True)
    error = models.TextField(blank=True)
    verdict = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def group_name(self) -> str:
        return f"run.{self.token}"


class RunEvent(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="one_event_per_seq")]


class Progress(models.Model):
    NOT_STARTED, ATTEMPTED, PASSED = "not_started", "attempted", "passed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE)
    status = models.CharField(max_length=16, default=ATTEMPTED)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(auto_now_add=True)
    passed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lab"], name="one_progress_per_lab")]
