"""The HTTP API (docs/api.md): create a free-form run, fetch its verdict. Events stream over
the websocket (/ws/runs/<token>/) or as server-sent events (web/api/events.py).

JSON in, JSON out; errors are {"error": "<sentence>"} with the HTTP status. Authenticated
by an API token (web/api/auth.py); no cookies, so no CSRF.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from labs import freeform
from labs.access import can_watch_run
from labs.grading import words
from labs.models import ApiToken, Run, Submission
from labs.submissions import SubmissionRefused
from web.api.auth import key_from_headers, token_for_key

View = Callable[..., HttpResponse]


def error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def with_token(view: View) -> View:
    """Passes the request's API token to the view; 401 without a valid one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = token_for_key(key_from_headers(request.headers))
        if token is None:
            response = error(_("Send an API token: Authorization: Bearer <token>."), 401)
            response["WWW-Authenticate"] = 'Bearer realm="bpflab"'
            return response
        return view(request, token, *args, **kwargs)

    return wrapper


@csrf_exempt
@require_POST
@with_token
def create_run(request: HttpRequest, token: ApiToken) -> HttpResponse:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return error(_("The body must be JSON."), 400)
    if not isinstance(body, dict) or not isinstance(body.get("source"), str):
        return error(_('Send {"source": "<C code>", "settings": {...}}.'), 400)
    runner = freeform.Runner(user=token.user, token=token)
    try:
        run = freeform.submit_free_form(
            runner,
            body["source"].replace("\r\n", "\n"),
            body.get("settings") or {},
            via=Submission.API,
            language=request.LANGUAGE_CODE,
        )
    except SubmissionRefused as refusal:
        return error(refusal.message, refusal.status)
    return JsonResponse(describe(request, run), status=201)


@require_GET
@with_token
def run_detail(request: HttpRequest, token: ApiToken, run_token: str) -> HttpResponse:
    run = Run.objects.select_related("submission").filter(token=run_token).first()
    if run is None or not run.is_free_form or not can_watch_run(token.user, run):
        return error(_("No such run."), 404)
    return JsonResponse(describe(request, run))


def _verdict(run: Run) -> dict[str, Any]:
    """The stored verdict, its platform failure (data) in words with its `error_code`."""
    verdict = dict(run.verdict or {})
    if isinstance(verdict.get("error"), dict):
        failure = verdict["error"]
        verdict.update(error=words.failure_words(failure), error_code=words.failure_code(failure))
    return verdict


def describe(request: HttpRequest, run: Run) -> dict[str, Any]:
    """A run as the API shows it: where to follow it, and its verdict once it is done."""
    absolute = request.build_absolute_uri
    ws_scheme = "wss" if request.is_secure() else "ws"
    return {
        "token": run.token,
        "status": run.status,
        "finished": run.is_finished,
        "kernel": run.kernel,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error_words or None,  # in the request's language
        "error_code": words.failure_code(run.failure),
        "verdict": _verdict(run) if run.is_finished else None,
        "links": {
            "self": absolute(reverse("api-run", args=[run.token])),
            "events": absolute(reverse("api-run-events", args=[run.token])),
            "websocket": f"{ws_scheme}://{request.get_host()}/ws/runs/{run.token}/",
            "page": absolute(reverse("playground-run", args=[run.token])),
        },
    }
