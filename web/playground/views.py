"""The playground (free-form runs, no checks), its run pages, permalinks and the stop button."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from labs import curriculum, freeform, kernels, live, playground
from labs.access import can_watch_run
from labs.models import Lab, Run, Snippet, Submission
from labs.runner import reap_if_stale
from labs.submissions import SubmissionRefused
from web.pages.forms import SourceForm, normalise_newlines
from web.pages.strings import run_panel_strings
from web.playground import forms, visitors
from web.playground.strings import playground_strings

STARTER = playground.STARTERS["xdp"]


def render_playground(
    request: HttpRequest,
    source: str,
    cfg: dict[str, Any],
    *,
    run: Run | None = None,
    snippet: Snippet | None = None,
    lab: Lab | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    can_run, why_not = visitors.may_run_here(request)
    mine = _mine(request)
    context = {
        **mine,
        "form": SourceForm(initial={"source": source}),
        "values": forms.form_values(cfg),
        "hooks": playground.HOOKS,
        "kernels": kernels.offered(),
        "default_kernel": kernels.site_default(),
        "vm_only_hooks": [] if freeform.anonymous_runs_allowed() else playground.VM_ONLY_HOOKS,
        "packet_kinds": forms.PACKET_KINDS,
        "triggers": playground.trigger_commands(),
        "live_max_s": _live_max(),
        "run": run,
        "snippet": snippet,
        "lab": lab,
        "refusal": refusal,
        "can_run": can_run,
        "why_not": why_not,
        "strings": run_panel_strings(),
        "panel_config": {
            "wsPath": f"/ws/runs/{run.token}/" if run else "",
            "stopUrl": reverse("playground-stop", args=[run.token]) if run else "",
            "playground": playground_strings(),
        },
        # code, not words: in <textarea>s the panel reads (frontend/src/playground.js)
        "starters": playground.STARTERS,
    }
    return render(request, "playground/page.html", context, status=status)


RECENT_SHOWN = 5


def _mine(request: HttpRequest) -> dict[str, Any]:
    """A signed-in user's last playground runs and snippets."""
    if not request.user.is_authenticated:
        return {"recent_runs": [], "my_snippets": []}
    runs = Run.objects.filter(submission__user=request.user, submission__lab=None)
    snippets = Snippet.objects.filter(author=request.user)
    return {"recent_runs": runs[:RECENT_SHOWN], "my_snippets": snippets[:RECENT_SHOWN]}


def _live_max() -> int:
    from django.conf import settings

    return settings.PLAYGROUND_LIVE_MAX_S


def playground_page(request: HttpRequest) -> HttpResponse:
    """The playground; `?code=...&settings=<JSON>` opens it with that code (the link an
    embedded widget's "Open in the playground" follows)."""
    source = normalise_newlines(request.GET.get("code", "")) or STARTER
    try:
        raw = json.loads(request.GET.get("settings") or "{}")
    except ValueError:
        raw = {}
    return render_playground(request, source, _stored(raw if isinstance(raw, dict) else {}))


@require_POST
def open_from_lab(request: HttpRequest) -> HttpResponse:
    """ "Open in playground" on a lab: the code in its editor, the lab's packets and seeds."""
    lab = get_object_or_404(Lab, slug=request.POST.get("lab", ""), is_active=True)
    source = normalise_newlines(request.POST.get("source", "")) or lab.starter
    cfg = playground.settings_for_lab(curriculum.get_lab(lab.slug))
    return render_playground(request, source, cfg, lab=lab)


@require_POST
def run_program(request: HttpRequest) -> HttpResponse:
    source = normalise_newlines(request.POST.get("source", ""))
    raw = forms.settings_from_post(request.POST)
    snippet = Snippet.objects.filter(slug=request.POST.get("snippet", "")).first()
    via = Submission.PERMALINK if snippet else Submission.PLAYGROUND
    try:
        run = freeform.submit_free_form(
            visitors.runner_for(request),
            source,
            raw,
            via=via,
            snippet=snippet,
            language=request.LANGUAGE_CODE,
        )
    except SubmissionRefused as refusal:
        return render_playground(
            request,
            source,
            _stored(raw),
            snippet=snippet,
            refusal=refusal.message,
            status=refusal.status,
        )
    visitors.remember_run(request, run)
    return redirect("playground-run", token=run.token)


def _stored(raw: dict[str, Any]) -> dict[str, Any]:
    """Settings to show again after a refusal: as posted, or the defaults if unreadable."""
    try:
        return playground.parse_settings(raw).to_dict()
    except playground.SettingsError:
        return {**playground.parse_settings({}).to_dict(), "hook": raw.get("hook", "xdp")}


def get_free_run(request: HttpRequest, token: str) -> Run:
    run = Run.objects.select_related("submission__snippet").filter(token=token).first()
    if run is None or not run.is_free_form:
        raise Http404("No such run")
    if not (can_watch_run(request.user, run) or visitors.ran_it(request, run)):
        raise Http404("No such run")
    return run


def run_page(request: HttpRequest, token: str) -> HttpResponse:
    run = get_free_run(request, token)
    if reap_if_stale(run):
        run.refresh_from_db()
    submission = run.submission
    return render_playground(
        request, submission.source, submission.settings, run=run, snippet=submission.snippet
    )


@require_POST
def stop_run(request: HttpRequest, token: str) -> HttpResponse:
    """The live mode's stop button."""
    run = get_free_run(request, token)
    stopping = live.request_stop(run)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"stopping": stopping, "status": run.status})
    return redirect("playground-run", token=run.token)


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Stores the editor's code and settings as an immutable snippet: /p/<slug>."""
    source = normalise_newlines(request.POST.get("source", ""))
    raw = forms.settings_from_post(request.POST)
    parent = Snippet.objects.filter(slug=request.POST.get("snippet", "")).first()
    run = Run.objects.filter(token=request.POST.get("run", "")).first()
    if run is not None and not (can_watch_run(request.user, run) or visitors.ran_it(request, run)):
        run = None
    try:
        snippet = freeform.share(source, raw, request.user, parent=parent, run=run)
    except SubmissionRefused as refusal:
        return render_playground(
            request, source, _stored(raw), refusal=refusal.message, status=refusal.status
        )
    return redirect("snippet", slug=snippet.slug)


def snippet_page(request: HttpRequest, slug: str) -> HttpResponse:
    snippet = get_object_or_404(Snippet, slug=slug)
    return render_playground(
        request, snippet.source, snippet.settings, run=snippet.last_run(), snippet=snippet
    )
