"""Labs instructors write in the site: the working copy, its published versions, and who
sees it. The files (a `content/labs/<slug>/` folder as {name: text}) are the truth: a
version is graded from its own files, never from CONTENT_DIR."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from labs.models.classroom import Cohort
from labs.models.learning import Lab


class AuthoredLab(models.Model):
    # The Lab row the pages and runs use; inactive (hidden) until the first publish.
    lab = models.OneToOneField(Lab, on_delete=models.CASCADE, related_name="authored")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authored_labs"
    )
    co_instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="co_authored_labs", blank=True
    )
    cohorts = models.ManyToManyField(Cohort, related_name="authored_labs", blank=True)
    # The working copy being edited: file name -> text (labs/authoring.py FILE_NAMES).
    files = models.JSONField(default=dict)
    # The published version learners are graded against (None: never published).
    current = models.ForeignKey(
        "labs.LabVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Staff promoted it to the public curriculum: every catalogue shows it.
    promoted = models.BooleanField(default=False)
    # Where it came from when synced from a course repository ("" = written in the site).
    origin = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.lab.slug


class LabVersion(models.Model):
    """A frozen copy of an authored lab's files. A candidate (number None) is what a
    self-check ran on; publishing it gives it the next number."""

    authored = models.ForeignKey(AuthoredLab, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(null=True, blank=True)
    files = models.JSONField(default=dict)
    content_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The self-check's runs: {"solution": run id, "starter": run id}
    check_runs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authored", "number"], name="one_lab_version_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.authored_id} v{self.number or '?'}"
