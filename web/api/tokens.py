"""A user's API tokens: list, make one (its key is shown once), revoke one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from labs.models import ApiToken

MAX_ACTIVE_TOKENS = 10


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "api/tokens.html", {"tokens": tokens, "new_key": None})


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user)
    name = request.POST.get("name", "").strip()[:80] or _("my token")
    if tokens.filter(revoked_at=None).count() >= MAX_ACTIVE_TOKENS:
        context = {"tokens": tokens, "new_key": None, "refusal": _("Revoke a token first.")}
        return render(request, "api/tokens.html", context, status=400)
    token, key = ApiToken.issue(request.user, name)
    # The key exists in clear only in this response.
    context = {"tokens": tokens, "new_key": key, "new_token": token}
    return render(request, "api/tokens.html", context, status=201)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    return redirect("api-tokens")


def api_docs(request: HttpRequest) -> HttpResponse:
    """docs/api.md (or its Chinese twin), as a page of the site (the curl examples name
    this site)."""
    from web.pages.lessons import render_markdown

    language, text = api_docs_text(translation.get_language() or "en")
    text = text.replace("http://127.0.0.1:8000", request.build_absolute_uri("/").rstrip("/"))
    context = {"html": render_markdown(text), "docs_language": language}
    return render(request, "api/docs.html", context)


def api_docs_text(language: str) -> tuple[str, str]:
    """The API reference in the reader's language if it is written in it, else in English:
    (the text's language, the text)."""
    docs = settings.BASE_DIR / "docs"
    if language.lower().startswith("zh"):
        translated = docs / "api.zh-hans.md"
        if translated.is_file():
            return "zh-hans", translated.read_text(encoding="utf-8")
    return "en", (docs / "api.md").read_text(encoding="utf-8")
