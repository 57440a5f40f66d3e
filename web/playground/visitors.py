"""Who runs free-form code: a signed-in user, or an anonymous visitor.

An anonymous visitor is known by a hash of their address (cookies of a third-party page may
be blocked, and a quota must hold without them). An embedded widget proves that its runs
come from a page that loaded it with a signed per-page token (`page_token`): the embedding
site and the visitor, signed with the site's secret and dated. A run posted without a
valid token, with another visitor's token or after EMBED_TOKEN_MAX_AGE_S, is refused.
No CAPTCHA: the token, the per-visitor and the per-site quotas (labs/freeform.py) are the
abuse limits.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from labs import freeform
from labs.models import Run

SESSION_RUNS = "playground_runs"
TOKEN_SALT = "bpflab.embed.page"


def client_address(request: HttpRequest) -> str:
    """The visitor's address: the connection's, or behind FORWARDED_FOR_HOPS trusted
    proxies the one they were given (a client can prepend anything; it cannot append)."""
    hops = settings.FORWARDED_FOR_HOPS
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if hops > 0 and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def visitor_id(request: HttpRequest) -> str:
    address = client_address(request)
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode())
    return digest.hexdigest()[:32]


def site_of(url: str) -> str:
    """The origin (scheme://host[:port]) of a page address; "" if it has none."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def sign_page(request: HttpRequest, site: str) -> str:
    """The signed token an embedded widget on a page of `site` sends with each run."""
    return signing.dumps({"v": visitor_id(request), "s": site}, salt=TOKEN_SALT, compress=True)


def read_page_token(request: HttpRequest, token: str) -> str | None:
    """The embedding site a valid token names (may be ""), or None when it is not valid for
    this visitor now."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.EMBED_TOKEN_MAX_AGE_S)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("v") != visitor_id(request):
        return None
    return str(data.get("s") or "")


def runner_for(request: HttpRequest) -> freeform.Runner:
    """The runner on the site's own pages: the signed-in user, or an anonymous visitor."""
    if request.user.is_authenticated:
        return freeform.Runner(user=request.user)
    return freeform.Runner(visitor=visitor_id(request), site=site_of(settings.SITE_URL))


def anonymous_runner(request: HttpRequest, page_token: str) -> freeform.Runner:
    """An embedded widget's runner: always anonymous; without a valid page token it has no
    visitor, and is refused with "reload the page"."""
    site = read_page_token(request, page_token)
    if site is None:
        return freeform.Runner(visitor="", site="")
    return freeform.Runner(visitor=visitor_id(request), site=site)


def may_run_here(request: HttpRequest) -> tuple[bool, str]:
    """Whether this visitor can press Run, and if not, why (said on the page)."""
    if request.user.is_authenticated or freeform.anonymous_runs_allowed():
        return True, ""
    return False, freeform.why_an_account()


def remember_run(request: HttpRequest, run: Run) -> None:
    if request.user.is_authenticated:
        return
    runs = list(request.session.get(SESSION_RUNS, []))[-49:]
    request.session[SESSION_RUNS] = [*runs, run.token]


def ran_it(request: HttpRequest, run: Run) -> bool:
    return run.token in request.session.get(SESSION_RUNS, [])
