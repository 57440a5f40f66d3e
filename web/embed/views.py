"""Embeds (docs/embed.md): runnable snippets on any page.

- `/embed.js`: the script a page includes; it turns every `<pre data-bpflab>` into a widget.
- `/embed/token`: what a widget asks first: a signed per-page token and the words it shows.
- `/embed/runs`: a widget's Run (anonymous, quota'd, only where runs get their own VM).
- `/embed/p/<slug>`: the iframe form of a permalink; `/embed/frame`: of any code.
- `/oembed`: the oEmbed answer for a permalink, for blog engines.

Cross-origin rules: the JSON endpoints answer any origin (`Access-Control-Allow-Origin: *`)
and never read cookies: an embedded run is anonymous, whoever the visitor is. The iframe
pages may be framed by the sites EMBED_FRAME_ANCESTORS lists (CSP frame-ancestors).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from labs import freeform, playground
from labs.models import Snippet, Submission
from labs.submissions import SubmissionRefused
from web.pages.strings import run_panel_strings
from web.playground import visitors
from web.playground.strings import playground_strings

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}
IFRAME_HEIGHT = 640
IFRAME_WIDTH = 800


def with_cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS.items():
        response[name] = value
    response["Vary"] = "Origin"
    return response


def embed_script(request: HttpRequest) -> HttpResponse:
    """A stable address for the script; the file itself is the bundle's (cached)."""
    return redirect(static("bundle/embed.js"))


def page_site(request: HttpRequest, page_url: str) -> str:
    """The embedding site: the browser's Origin header when it sent one (a page's script
    cannot forge it), else the page address the widget gave."""
    origin = request.headers.get("Origin", "")
    return visitors.site_of(origin) or visitors.site_of(page_url)


@csrf_exempt
def page_token(request: HttpRequest) -> HttpResponse:
    """The signed token for this page and visitor, whether they can run here (and why not),
    and every word the widget shows, in the visitor's language."""
    if request.method == "OPTIONS":
        return with_cors(HttpResponse(status=204))
    site = page_site(request, request.GET.get("page", ""))
    token = visitors.sign_page(request, site)
    can_run = freeform.anonymous_runs_allowed()
    data = {
        "token": token,
        "can_run": can_run,
        "why_not": "" if can_run else freeform.why_an_account(),
        "strings": {**run_panel_strings(), "playground": playground_strings(), **widget_strings()},
        "playground": request.build_absolute_uri(reverse("playground")),
    }
    return with_cors(JsonResponse(data))


def widget_strings() -> dict[str, str]:
    return {
        "run": _("Run"),
        "running": _("Running…"),
        "open": _("Open in the bpflab playground"),
        "powered": _("Runs on a real kernel at bpflab"),
        "code": _("BPF program"),
    }


@csrf_exempt
def create_run(request: HttpRequest) -> HttpResponse:
    """A widget's Run: JSON {source, settings, page_token, snippet?}; 201 with where to
    follow it, or {error} with 400/403/413/429."""
    if request.method == "OPTIONS":
        return with_cors(HttpResponse(status=204))
    if request.method != "POST":
        return with_cors(JsonResponse({"error": _("POST a run.")}, status=405))
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("source"), str):
        return with_cors(JsonResponse({"error": _("The body must be JSON.")}, status=400))
    return with_cors(_start(request, body))


def _start(request: HttpRequest, body: dict[str, Any]) -> JsonResponse:
    runner = visitors.anonymous_runner(request, str(body.get("page_token") or ""))
    snippet = Snippet.objects.filter(slug=str(body.get("snippet") or "")).first()
    try:
        run = freeform.submit_free_form(
            runner,
            body["source"].replace("\r\n", "\n"),
            body.get("settings") or {},
            via=Submission.EMBED,
            snippet=snippet,
            language=request.LANGUAGE_CODE,
        )
    except SubmissionRefused as refusal:
        return JsonResponse(
            {"error": refusal.message, "status": refusal.status}, status=refusal.status
        )
    events = request.build_absolute_uri(reverse("api-run-events", args=[run.token]))
    return JsonResponse({"token": run.token, "events": events}, status=201)


def _frame(
    request: HttpRequest, source: str, cfg: dict[str, Any], snippet: Snippet | None
) -> HttpResponse:
    context = {
        "source": source,
        "settings_json": json.dumps(cfg),
        "snippet": snippet,
        "script": static("bundle/embed.js"),
    }
    response = render(request, "embed/frame.html", context)
    ancestors = " ".join(settings.EMBED_FRAME_ANCESTORS) or "'none'"
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


@xframe_options_exempt
def snippet_frame(request: HttpRequest, slug: str) -> HttpResponse:
    """The iframe form of a permalink: its code in a widget."""
    snippet = get_object_or_404(Snippet, slug=slug)
    return _frame(request, snippet.source, snippet.settings, snippet)


@xframe_options_exempt
def code_frame(request: HttpRequest) -> HttpResponse:
    """The iframe form of any code: /embed/frame?code=...&hook=xdp (or &settings=<JSON>)."""
    source = request.GET.get("code", "")
    try:
        raw = json.loads(request.GET["settings"]) if "settings" in request.GET else {}
    except ValueError:
        raw = {}
    if "hook" in request.GET:
        raw = {**raw, "hook": request.GET["hook"]}
    try:
        cfg = playground.parse_settings(raw).to_dict()
    except playground.SettingsError:
        cfg = playground.parse_settings({}).to_dict()
    return _frame(request, source, cfg, None)


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed (https://oembed.com) for /p/<slug>: a rich embed holding the iframe form."""
    url = request.GET.get("url", "")
    if request.GET.get("format", "json") != "json":
        return HttpResponse(status=501)
    path = urlsplit(url).path.rstrip("/")
    slug = path.rsplit("/p/", 1)[-1] if "/p/" in path else ""
    snippet = Snippet.objects.filter(slug=slug).first()
    if snippet is None:
        raise Http404("Not a bpflab permalink")
    width = _bounded(request.GET.get("maxwidth"), IFRAME_WIDTH)
    height = _bounded(request.GET.get("maxheight"), IFRAME_HEIGHT)
    src = request.build_absolute_uri(reverse("embed-snippet", args=[snippet.slug]))
    html = (
        f'<iframe src="{src}" width="{width}" height="{height}" '
        'style="border:1px solid #d0d7de;border-radius:6px" loading="lazy" '
        f'title="bpflab snippet {snippet.slug}"></iframe>'
    )
    data = {
        "version": "1.0",
        "type": "rich",
        "provider_name": "bpflab",
        "provider_url": request.build_absolute_uri("/"),
        "title": snippet.title or f"bpflab snippet {snippet.slug}",
        "html": html,
        "width": width,
        "height": height,
    }
    return with_cors(JsonResponse(data))


def _bounded(value: str | None, default: int) -> int:
    return min(default, int(value)) if value and value.isdigit() and int(value) > 0 else default
