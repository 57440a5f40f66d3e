"""The learning domain's tables. Content rows are written only by `load_content`."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    # The starter with translated comments, by language ({"zh-hans": source}); same code.
    starter_translations = models.JSONField(default=dict, blank=True)
    solution = models.TextField()
    checks = models.JSONField(default=list)
    # Kernel names of sandbox/kernels.lock ("6.12"); empty: no requirement / no preference.
    min_kernel = models.CharField(max_length=16, blank=True, default="")
    max_kernel = models.CharField(max_length=16, blank=True, default="")
    default_kernel = models.CharField(max_length=16, blank=True, default="")
    content_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    # The sandboxes the lab can run on (kprobes and fentry exist only in the microVM's
    # kernel); empty: every one.
    backends = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["stage__order", "order"]

    def starter_text(self) -> str:
        """The starter in the reader's language (its comments translated), else starter.c."""
        return str(pick({"en": self.starter, **self.starter_translations}))

    def runs_on(self, backend: str) -> bool:
        return not self.backends or backend in self.backends

    def runs_here(self) -> bool:
        """Whether this site's sandbox (settings.SANDBOX_BACKEND) can run the lab."""
        return self.runs_on(settings.SANDBOX_BACKEND)

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
    """What was run. A lab's submission is graded against the lab's checks; one without a
    lab is a free-form run (the playground, a permalink, an embed, the API) and carries its
    settings (labs/playground.py). `user` is empty only for an anonymous embedded run."""

    LAB, PLAYGROUND, PERMALINK, EMBED, API = "lab", "playground", "permalink", "embed", "api"
    # An authored lab's self-check: its reference or starter, run before publishing.
    SELF_CHECK = "self-check"
    WAYS_IN = [(w, w) for w in (LAB, PLAYGROUND, PERMALINK, EMBED, API, SELF_CHECK)]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)
    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="submissions", null=True)
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    via = models.CharField(max_length=16, choices=WAYS_IN, default=LAB)
    settings = models.JSONField(default=dict, blank=True)
    snippet = models.ForeignKey(
        "labs.Snippet", null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    api_token = models.ForeignKey(
        "labs.ApiToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    # An anonymous embedded run: a hash of the visitor and the page's site (quotas).
    visitor = models.CharField(max_length=64, blank=True)
    site = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The anonymous quotas count one visitor's, or one site's, runs of the last hour
        # (labs/freeform.py); partial: signed-in users' submissions, most of them, are left out.
        indexes = [
            models.Index(
                fields=["visitor", "created_at"],
                name="submission_visitor_recent",
                condition=models.Q(user__isnull=True),
            ),
            models.Index(
                fields=["site", "created_at"],
                name="submission_site_recent",
                condition=models.Q(user__isnull=True),
            ),
        ]


def new_run_token() -> str:
    return secrets.token_urlsafe(24)


def new_run_seed() -> int:
    # the grader's own seed size (labs.grading.differential.SEED_BITS)
    return secrets.randbits(31)


class Run(models.Model):
    """One grading of a submission. A small state machine, moved only by conditional updates:
    queued -> compiling -> running -> done | error.

    The table is the queue (labs/runner.py): a worker claims a queued run and holds a lease
    on it (`lease_owner` until `lease_expires_at`, renewed while it grades); a run whose
    lease ran out goes back to queued for another `attempt`."""

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
    # Draws the generated frames of the differential phase: `manage.py grade --seed`
    # replays them. Null for runs graded before the phase existed.
    seed = models.BigIntegerField(null=True, blank=True, default=new_run_seed)
    passed = models.BooleanField(null=True)
    stage_reached = models.CharField(max_length=16, blank=True)
    # Why the platform failed the run, as data (labs.grading.words.failure: a `code` and
    # language-neutral values), worded by the reader. `error` holds the words of a run that
    # failed before failures were data (read as stored); new runs leave it empty.
    failure = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    verdict = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    # When it (last) entered the queue: the oldest waits least (labs/runner.py).
    queued_at = models.DateTimeField(default=timezone.now)
    attempt = models.PositiveIntegerField(default=0)  # claims so far; events carry it
    lease_owner = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True)
    # Live traffic mode: the stop button was pressed; the worker tells the sandbox.
    stop_requested_at = models.DateTimeField(null=True, blank=True)
    # The authored lab's version it is graded against (None: a curriculum lab, graded from
    # CONTENT_DIR). A re-grade is a new run of an old submission against a newer version.
    lab_version = models.ForeignKey(
        "labs.LabVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    is_regrade = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "queued_at"], name="run_queue")]

    @property
    def is_free_form(self) -> bool:
        return self.submission.lab_id is None

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def error_words(self) -> str:
        """Why the platform failed the run, in the active language ("" when it did not)."""
        from labs.grading.words import failure_words  # the grader's words, at the edge

        return failure_words(self.failure or self.error)


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
