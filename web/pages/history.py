"""A learner's submissions to one lab, newest first, with the verdict of each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labs.models import Submission
from web.pages.lab import get_active_lab
from web.pages.verdicts import run_summary


@login_required
def lab_history(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug, request.user)
    submissions = (
        Submission.objects.filter(user=request.user, lab=lab)
        .exclude(via=Submission.SELF_CHECK)
        .prefetch_related("runs")
        .order_by("-created_at", "-pk")
    )
    attempts = []
    for submission in submissions:
        run = submission.runs.first()
        summary = run_summary(run) if run else ""
        attempts.append({"submission": submission, "run": run, "summary": summary})
    return render(request, "pages/history.html", {"lab": lab, "attempts": attempts})
