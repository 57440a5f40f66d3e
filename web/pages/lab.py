"""The lab page and what its editor posts: draft autosave, reset to starter, submit a run."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from labs.authoring import visible_labs
from labs.models import Draft, Lab, Run
from labs.submissions import SubmissionRefused, run_kernel, submit
from web.pages.forms import SourceForm, normalise_newlines
from web.pages.kernels import asked_kernel
from web.pages.workspace import (
    draft_or_starter,
    render_workspace,
    save_draft,
    save_session_draft,
)


def get_active_lab(slug: str, user: Any = None) -> Lab:
    """A lab `user` may see (labs.authoring.visible_labs): another cohort's lab is a 404."""
    return get_object_or_404(visible_labs(user).select_related("stage"), slug=slug)


def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug, request.user)
    return render_workspace(request, lab, draft_or_starter(request, lab))


@require_POST
def draft_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Autosave from the editor (JSON). A visitor who is not signed in keeps the draft in the
    session; their "Log in to run" posts here too (then=login), so the login keeps it."""
    lab = get_active_lab(slug, request.user)
    source = normalise_newlines(request.POST.get("source", ""))
    size = len(source.encode())
    if size > settings.MAX_SOURCE_BYTES:
        message = _("The source is %(size)d bytes; the limit is %(limit)d bytes.")
        data = {
            "saved": False,
            "error": message % {"size": size, "limit": settings.MAX_SOURCE_BYTES},
        }
        return JsonResponse(data, status=413)
    if not request.user.is_authenticated:
        save_session_draft(request, lab, source)
        if request.POST.get("then") == "login":
            return redirect(f"{reverse('login')}?{urlencode({'next': lab_url(lab)})}")
        return JsonResponse({"saved": True})
    draft = save_draft(request.user, lab, source)
    return JsonResponse({"saved": True, "updated_at": draft.updated_at.isoformat()})


@login_required
@require_POST
def draft_reset(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug, request.user)
    Draft.objects.filter(user=request.user, lab=lab).delete()
    return redirect("lab", slug=lab.slug)


@login_required
def submit_run(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug, request.user)
    if request.method != "POST":
        # A refused run leaves the browser on this URL; a reload or a language switch
        # then asks for it with GET: show the lab again.
        return redirect("lab", slug=lab.slug)
    form = SourceForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["source"].strip():
        refusal = _(
            "The editor is empty. Write your program (or reset to the starter), then press Run."
        )
        return render_workspace(request, lab, "", refusal=refusal, status=400)
    source = form.cleaned_data["source"]
    try:
        run = submit_once(request.user, lab, source, request.LANGUAGE_CODE, asked_kernel(request))
    except SubmissionRefused as refusal:
        return render_workspace(
            request, lab, source, refusal=refusal.message, status=refusal.status
        )
    save_draft(request.user, lab, source)
    return redirect("run", token=run.token)


def submit_once(user: Any, lab: Lab, source: str, language: str, kernel: str | None = None) -> Run:
    """Run is idempotent while a run of the same source on the same kernel is in flight: a
    second click (or five) joins that run instead of queueing a copy. The user's row lock
    (SQLite: the write lock this transaction takes at BEGIN) makes two simultaneous clicks
    see each other."""
    kernel = run_kernel(user, lab, settings.SANDBOX_BACKEND, kernel)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        in_flight = (
            Run.objects.filter(
                submission__user=user,
                submission__lab=lab,
                submission__source=source,
                kernel=kernel,
            )
            .exclude(status__in=Run.FINISHED)
            .order_by("-created_at")
            .first()
        )
        if in_flight is not None:
            return in_flight
        return submit(user, lab, source, language=language, kernel=kernel or None)


def lab_url(lab: Lab) -> str:
    return reverse("lab", args=[lab.slug])
