"""A run's page (the workspace watching that run) and its diff against the previous attempt.
Runs are addressed by their unguessable token and shown to their owner only (404 otherwise)."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from labs import kernels
from labs.access import can_watch_run
from labs.models import Run, Submission
from labs.runner import reap_if_stale
from web.pages.kernels import matrix_page
from web.pages.workspace import render_workspace


def get_run_for_user(request: HttpRequest, token: str) -> Run:
    run = Run.objects.select_related("submission__lab__stage").filter(token=token).first()
    if run is None or not can_watch_run(request.user, run):
        raise Http404("No such run")
    return run


@login_required
def run_page(request: HttpRequest, token: str) -> HttpResponse:
    run = get_run_for_user(request, token)
    if run.is_free_form:
        return redirect("playground-run", token=run.token)
    if reap_if_stale(run):
        run.refresh_from_db()
    submission = run.submission
    if run.kernel == kernels.ALL:
        return matrix_page(request, run)
    return render_workspace(request, submission.lab, submission.source, run=run)


def previous_submission(submission: Submission) -> Submission | None:
    earlier = Submission.objects.filter(
        user=submission.user, lab=submission.lab, created_at__lt=submission.created_at
    )
    return earlier.order_by("-created_at", "-pk").first()


def diff_lines(before: str, after: str) -> list[dict[str, Any]]:
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        _("previous attempt"),
        _("this attempt"),
        lineterm="",
        n=3,
    )
    return [{"kind": _line_kind(line), "text": line} for line in lines]


def _line_kind(line: str) -> str:
    if line.startswith(("+++", "---")):
        return "file"
    return {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")


@login_required
def run_diff(request: HttpRequest, token: str) -> HttpResponse:
    run = get_run_for_user(request, token)
    if run.is_free_form:
        raise Http404("A playground run has no previous attempt")
    previous = previous_submission(run.submission)
    before = previous.source if previous else ""
    context = {
        "run": run,
        "lab": run.submission.lab,
        "previous": previous,
        "previous_run": previous.runs.first() if previous else None,
        "lines": diff_lines(before, run.submission.source),
    }
    return render(request, "pages/diff.html", context)
