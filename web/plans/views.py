"""Study plan pages: pick a plan, start it with an optional target date, follow its pace."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from labs import plans
from labs.models import Plan, PlanEnrollment
from web.plans.forms import StartPlanForm


def index(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": Plan.objects.all(),
        "current": plans.current_plan_summary(request.user),
    }
    return render(request, "plans/index.html", context)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    enrollment = None
    if request.user.is_authenticated:
        enrollment = PlanEnrollment.objects.filter(user=request.user, plan=plan).first()
    if enrollment is not None:
        progress = plans.enrollment_progress(enrollment)
    else:
        progress = plans.PlanProgress(plan, plans.plan_items(plan, request.user))
    initial = {"target_date": enrollment.target_date} if enrollment else {}
    context = {"plan": plan, "progress": progress, "form": StartPlanForm(initial=initial)}
    return render(request, "plans/detail.html", context)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    enrollment = plans.current_enrollment(request.user)
    if enrollment is None:
        return redirect("plans:index")
    return redirect("plans:detail", slug=enrollment.plan.slug)


@login_required
@require_POST
def start(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(Plan, slug=slug)
    form = StartPlanForm(request.POST)
    if not form.is_valid():
        progress = plans.PlanProgress(plan, plans.plan_items(plan, request.user))
        context = {"plan": plan, "progress": progress, "form": form}
        return render(request, "plans/detail.html", context, status=400)
    plans.start_plan(request.user, plan, form.cleaned_data["target_date"])
    return redirect("plans:detail", slug=plan.slug)
