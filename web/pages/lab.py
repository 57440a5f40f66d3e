"""The lab page and what its editor posts: draft autosave, reset to starter, submit a run."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from labs.models import Draft, Lab
from labs.submissions import SubmissionRefused, submit
from web.pages.forms import SourceForm, normalise_newlines
from web.pages.workspace import draft_or_starter, render_workspace, save_draft


def get_active_lab(slug: str) -> Lab:
    return get_object_or_404(Lab.objects.select_related("stage"), slug=slug, is_active=True)


def lab_page(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug)
    return render_workspace(request, lab, draft_or_starter(request.user, lab))


@login_required
@require_POST
def draft_save(request: HttpRequest, slug: str) -> JsonResponse:
    lab = get_active_lab(slug)
    source = normalise_newlines(request.POST.get("source", ""))
    size = len(source.encode())
    if size > settings.MAX_SOURCE_BYTES:
        message = _("The source is %(size)d bytes; the limit is %(limit)d bytes.")
        data = {
            "saved": False,
            "error": message % {"size": size, "limit": settings.MAX_SOURCE_BYTES},
        }
        return JsonResponse(data, status=413)
    draft = save_draft(request.user, lab, source)
    return JsonResponse({"saved": True, "updated_at": draft.updated_at.isoformat()})


@login_required
@require_POST
def draft_reset(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug)
    Draft.objects.filter(user=request.user, lab=lab).delete()
    return redirect("lab", slug=lab.slug)


@login_required
def submit_run(request: HttpRequest, slug: str) -> HttpResponse:
    lab = get_active_lab(slug)
    if request.method != "POST":
        # A refused run leaves the browser on this URL; a reload or a language switch
        # then asks for it with GET: show the lab again.
        return redirect("lab", slug=lab.slug)
    form = SourceForm(request.POST)
    if not form.is_valid():
        return render_workspace(request, lab, "", refusal=_("The source is empty."), status=400)
    source = form.cleaned_data["source"]
    try:
        run = submit(request.user, lab, source, language=request.LANGUAGE_CODE)
    except SubmissionRefused as refusal:
        return render_workspace(
            request, lab, source, refusal=refusal.message, status=refusal.status
        )
    save_draft(request.user, lab, source)
    return redirect("run", token=run.token)
