"""GET /healthz: one entry per part the site depends on; 503 when any is down.

Anyone may ask (load balancers, uptime checks) and learns only ok or not per part; the
details (addresses, worker names, error text) are for signed-in staff."""

from __future__ import annotations

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

Check = tuple[bool, str]


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def check_redis() -> Check:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return True, settings.REDIS_URL


def check_celery() -> Check:
    from web.celery import app

    replies = app.control.ping(timeout=1.0)
    if not replies:
        return False, "no worker answered a ping within 1 s"
    return True, f"{len(replies)} worker(s): " + ", ".join(sorted(k for r in replies for k in r))


def check_sandbox() -> Check:
    from sandbox.backends import get_backend

    backend = get_backend(settings.SANDBOX_BACKEND)
    ok, detail = backend.available()
    return ok, f"{settings.SANDBOX_BACKEND}: {detail}"


def check_kernels() -> Check:
    """The microVM kernels whose image is built, and those the site offers its runs."""
    from labs import kernels
    from sandbox.image import built_kernels

    built = built_kernels()
    listed = ", ".join(f"{name} ({image.kernel_release})" for name, image in built.items())
    # a kernel built from another version than its pin (gone from the archive) says so
    listed += "".join(f"; {image.kernel_note}" for image in built.values() if image.kernel_note)
    if settings.SANDBOX_BACKEND != "microvm":
        where = f"runs use the host's kernel ({settings.SANDBOX_BACKEND} backend)"
        return True, f"{where}; built microVM kernels: {listed or 'none'}"
    offered = kernels.offered()
    missing = [name for name in settings.SANDBOX_KERNELS if name not in built]
    if not offered:
        return False, "no microVM kernel image is built: run `make install`"
    detail = (
        f"offered: {', '.join(offered)} (default {kernels.site_default(offered)}); built: {listed}"
    )
    if missing:
        return False, f"{detail}; BPFLAB_KERNELS lists kernels not built: {', '.join(missing)}"
    return True, detail


def kernel_notes() -> dict[str, str]:
    """{"7.2": "kernel 7.2: the pinned ... is no longer in the archive; using ..."}: each
    built kernel whose image holds another version than sandbox/kernels.lock pins."""
    from sandbox.image import built_kernels

    return {name: image.kernel_note for name, image in built_kernels().items() if image.kernel_note}


def kernel_releases() -> dict[str, str]:
    """{"6.1": "6.1.0-57-cloud-amd64", ...}: every kernel with a built image."""
    from sandbox.image import built_kernels

    return {name: image.kernel_release for name, image in built_kernels().items()}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "redis": check_redis,
    "celery": check_celery,
    "sandbox": check_sandbox,
    "kernels": check_kernels,
}


def run_check(check: Callable[[], Check]) -> dict[str, object]:
    try:
        ok, detail = check()
    except Exception as exc:  # noqa: BLE001 - a health probe reports, it never raises
        ok, detail = False, f"{exc.__class__.__name__}: {exc}"
    return {"ok": ok, "detail": detail}


def kernel_lists() -> dict[str, object]:
    """The kernels part's data: every built kernel's release, and those runs may pick."""
    from labs import kernels

    try:
        return {"built": kernel_releases(), "offered": kernels.offered(), "notes": kernel_notes()}
    except Exception:  # noqa: BLE001 - a health probe reports, it never raises
        return {"built": {}, "offered": [], "notes": {}}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    parts = {name: run_check(check) for name, check in CHECKS.items()}
    parts["kernels"].update(kernel_lists())
    healthy = all(part["ok"] for part in parts.values())
    if not request.user.is_staff:
        offered = parts["kernels"]["offered"]
        parts = {name: {"ok": part["ok"]} for name, part in parts.items()}
        # the kernels a run may pick: every lab page's picker shows them to anyone anyway
        parts["kernels"]["offered"] = offered
    return JsonResponse(parts, status=200 if healthy else 503)
