"""The catalogue: stages and labs with the learner's status on each and what comes next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from labs.plans import current_plan_summary
from web.pages.progress import stage_standings


def home(request: HttpRequest) -> HttpResponse:
    stages = stage_standings(request.user)
    up_next = next((s for stage in stages for s in stage.labs if s.is_next), None)
    passed = sum(stage.passed_count for stage in stages)
    total = sum(len(stage.labs) for stage in stages)
    context = {
        "stages": stages,
        "up_next": up_next,
        "passed": passed,
        "total": total,
        "plan_summary": current_plan_summary(request.user),
    }
    return render(request, "pages/catalogue.html", context)
