"""The classroom pages: cohorts, joining, and the instructor's dashboard with its drill-down.
Views fetch through the access helpers and render what labs.classroom computes."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from labs import classroom, kernels
from labs.access import can_view_cohort, can_view_learner_in_cohort, is_instructor
from labs.grading import words
from labs.models import Cohort, CohortPlan, Lab, Membership, Plan, Run, Submission
from labs.plans import plan_stages
from web.classroom import charts, labels
from web.classroom.events import describe_event
from web.classroom.forms import AssignPlanForm, CohortForm, JoinForm
from web.pages.verdicts import run_summary
from web.templatetags.labels import check_text

SUBMISSIONS_SHOWN = 50


def _cohort_for_instructor(request: HttpRequest, cohort_id: int) -> Cohort:
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    if not can_view_cohort(request.user, cohort):
        raise PermissionDenied("only this cohort's instructor may see it")
    return cohort


def _join_url(request: HttpRequest, cohort: Cohort) -> str:
    return request.build_absolute_uri(reverse("classroom:join_code", args=[cohort.join_code]))


def _joined_cohorts(user: object) -> list[dict[str, object]]:
    """The learner's cohorts, each with its plan and the stages' due dates (titles, not slugs)."""
    cohorts = Cohort.objects.filter(memberships__user=user).select_related("instructor")
    plans = {
        cp.cohort_id: cp
        for cp in CohortPlan.objects.filter(cohort__in=cohorts).select_related("plan")
    }
    joined = []
    for cohort in cohorts:
        cohort_plan = plans.get(cohort.pk)
        dues = [s for s in classroom.stage_dues(cohort_plan) if s.due] if cohort_plan else []
        joined.append({"cohort": cohort, "plan": cohort_plan and cohort_plan.plan, "dues": dues})
    return joined


@login_required
def index(request: HttpRequest) -> HttpResponse:
    teaching = is_instructor(request.user)
    context = {
        "is_instructor": teaching,
        "taught": Cohort.objects.filter(instructor=request.user) if teaching else [],
        "joined": _joined_cohorts(request.user),
        "cohort_form": CohortForm(),
        "join_form": JoinForm(),
    }
    return render(request, "classroom/index.html", context)


@login_required
@require_POST
def create_cohort(request: HttpRequest) -> HttpResponse:
    if not is_instructor(request.user):
        raise PermissionDenied("only instructors create cohorts")
    form = CohortForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A cohort needs a name."))
        return redirect("classroom:index")
    cohort = form.save(commit=False)
    cohort.instructor = request.user
    cohort.save()
    return redirect("classroom:dashboard", cohort_id=cohort.pk)


@login_required
def join(request: HttpRequest, code: str = "") -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"code": code})
    if request.method == "POST" and form.is_valid():
        cohort = Cohort.objects.filter(join_code=form.cleaned_data["code"], is_open=True).first()
        if cohort is None:
            form.add_error("code", _("No open cohort has this code."))
        else:
            with transaction.atomic():
                Membership.objects.get_or_create(cohort=cohort, user=request.user)
            messages.success(request, _("You joined %(name)s.") % {"name": cohort.name})
            return redirect("classroom:index")
    cohort = Cohort.objects.filter(join_code=code.upper(), is_open=True).first() if code else None
    # a join link whose cohort is gone or closed says so before the learner presses Join
    unknown = bool(code) and cohort is None and request.method != "POST"
    return render(
        request, "classroom/join.html", {"form": form, "cohort": cohort, "unknown_code": unknown}
    )


def sort_headers(grid: classroom.Grid) -> list[dict[str, object]]:
    """The grid's column headers as sort links: a second click on the active one reverses it."""
    keys = [("learner", _("Learner")), ("passed", _("Passed")), ("attempts", _("Attempts"))]
    keys += [(f"lab:{lab.slug}", lab.title_text() or lab.slug) for lab in grid.labs]
    titles = {
        f"lab:{lab.slug}": _("Sort by “%(title)s”") % {"title": lab.title_text()}
        for lab in grid.labs
    }
    headers = []
    for key, label in keys:
        active = grid.sort == key
        direction = "asc" if active and grid.descending else "desc" if active else "asc"
        headers.append(
            {
                "key": key,
                "label": label,
                "title": titles.get(key, label),
                "active": active,
                "dir": direction,
            }
        )
    return headers


@login_required
def dashboard(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    grid = classroom.build_grid(
        cohort, request.GET.get("sort", "learner"), request.GET.get("dir") == "desc"
    )
    context = {
        "cohort": cohort,
        "grid": grid,
        # the live feed tells runs finished after this from those the grid counts
        "rendered_at": timezone.now().isoformat(),
        "headers": sort_headers(grid),
        "join_url": _join_url(request, cohort),
        # the labs someone ran: with none, the page says there are no runs yet
        "failures": [report for report in classroom.cohort_failures(cohort) if report.runs],
        "standings": classroom.standings(cohort),
        "cohort_plan": CohortPlan.objects.filter(cohort=cohort).select_related("plan").first(),
        "activity": classroom.recent_activity(cohort),
        "feed_strings": labels.feed_strings(
            {lab.slug: lab.title_text() for lab in classroom.labs_of(cohort)}
        ),
        "kernel_choices": kernels.offered(),
        "site_kernel": kernels.site_default(),
    }
    return render(request, "classroom/dashboard.html", context)


@login_required
@require_POST
def cohort_kernel(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The instructor sets the kernel the cohort's runs get by default ("" the site's)."""
    cohort = _cohort_for_instructor(request, cohort_id)
    name = request.POST.get("kernel", "")
    if name and name not in kernels.offered():
        messages.error(request, _("This site offers no kernel %(kernel)s.") % {"kernel": name})
    else:
        cohort.default_kernel = name
        cohort.save(update_fields=["default_kernel"])
        messages.success(request, _("Default kernel saved."))
    return redirect("classroom:dashboard", cohort_id=cohort.pk)


@login_required
def grid_csv(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    grid = classroom.build_grid(cohort)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}-grid.csv"'
    csv.writer(response).writerows(csv_table(grid))
    return response


def csv_table(grid: classroom.Grid) -> list[list[str]]:
    """labs.classroom's rows with the header and the statuses in the reader's language."""
    rows = classroom.csv_rows(grid)
    header = [_("learner"), _("labs passed"), _("attempts")]
    for lab in grid.labs:
        title = lab.title_text() or lab.slug
        header += [
            _("%(lab)s: status") % {"lab": title},
            _("%(lab)s: attempts") % {"lab": title},
            _("%(lab)s: minutes to pass") % {"lab": title},
        ]
    body = [
        [
            labels.label(labels.PROGRESS_LABELS, v) if (i - 3) % 3 == 0 and i >= 3 else v
            for i, v in enumerate(row)
        ]
        for row in rows[1:]
    ]
    return [header, *body]


@login_required
def lab_failures(request: HttpRequest, cohort_id: int, slug: str) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    lab = get_object_or_404(Lab, slug=slug)
    report = classroom.lab_failures(cohort, lab, top=10)
    checks = {c.get("name"): c for c in lab.checks}
    failed_checks = [
        (name, check_text(checks.get(name, {"name": name})), count)
        for name, count in report.failed_check_rows()
    ]
    context = {"cohort": cohort, "report": report, "failed_checks": failed_checks}
    return render(request, "classroom/failures.html", context)


@login_required
def learner_detail(request: HttpRequest, cohort_id: int, user_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    learner = get_object_or_404(get_user_model(), pk=user_id)
    if not can_view_learner_in_cohort(request.user, cohort, learner):
        raise Http404("not a member of this cohort")
    submissions = (
        Submission.objects.filter(user=learner, lab__isnull=False)
        .select_related("lab")
        .prefetch_related("runs")[:SUBMISSIONS_SHOWN]
    )
    context = {"cohort": cohort, "learner": learner, "submissions": submissions}
    return render(request, "classroom/learner.html", context)


@login_required
def run_detail(request: HttpRequest, cohort_id: int, run_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    run = get_object_or_404(
        Run.objects.select_related("submission__user", "submission__lab"),
        pk=run_id,
        submission__user__cohort_memberships__cohort=cohort,
    )
    context = {
        "cohort": cohort,
        "run": run,
        "learner": run.submission.user,
        "events": [(event, describe_event(event.kind, event.data)) for event in run.events.all()],
        "outcome": labels.run_outcome(run.status, run.passed, classroom.failure_kind(run)),
        "summary": run_summary(run),
        # A check not run says why in the reader's language (labs.grading.words).
        "checks": [words.check_event(c) for c in (run.verdict or {}).get("checks") or []],
    }
    return render(request, "classroom/run.html", context)


def _svg(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def pass_rate_svg(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    grid = classroom.build_grid(cohort)
    titles = {lab.slug: lab.title_text() or lab.slug for lab in grid.labs}
    return _svg(charts.pass_rate_chart(classroom.pass_rates(grid), titles))


@login_required
def attempts_svg(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    buckets = classroom.attempts_distribution(classroom.build_grid(cohort))
    return _svg(charts.histogram_chart(buckets))


@login_required
def assign_plan(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_for_instructor(request, cohort_id)
    current = CohortPlan.objects.filter(cohort=cohort).select_related("plan").first()
    slug = request.POST.get("plan") or request.GET.get("plan") or (current and current.plan.slug)
    plan = Plan.objects.filter(slug=slug).first() or Plan.objects.first()
    stages = plan_stages(plan) if plan else []
    initial = {"plan": plan.slug if plan else None}
    if current and plan and current.plan_id == plan.pk:
        initial.update({f"due_{k}": v for k, v in current.stage_due_dates.items()})
    kept = current.stage_due_dates if current and plan and current.plan_id == plan.pk else {}
    form = AssignPlanForm(request.POST or None, initial=initial, stages=stages, kept=kept)
    if request.method == "POST" and form.is_valid():
        CohortPlan.objects.update_or_create(
            cohort=cohort,
            defaults={"plan": form.cleaned_data["plan"], "stage_due_dates": form.due_dates()},
        )
        messages.success(request, _("Plan assigned."))
        return redirect("classroom:dashboard", cohort_id=cohort.pk)
    context = {"cohort": cohort, "form": form, "plans": Plan.objects.all(), "plan": plan}
    return render(request, "classroom/assign_plan.html", context)
