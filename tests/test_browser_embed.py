"""Embedded snippets in a real browser (Debian's chromium): a static page served from another
origin (its own port) includes the embed script and two `<pre data-bpflab>` blocks. The
reader, with no account, runs the first to a verdict and the second, a program the verifier
rejects, to the verifier's explanation. Anonymous runs need a disposable kernel, so the site
here runs programs in the microVM.

Screenshots go to test-results/<test name>/.
"""

from __future__ import annotations

import functools
import html
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.backends import get_backend
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_MS, running_playwright

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not get_backend("microvm").available()[0], reason="needs the microVM"),
]

PASSING = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
    bpf_printk("dropping %d bytes", ctx->data_end - ctx->data);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
"""

REJECTED = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int peek(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    return p[12] == 8 ? XDP_DROP : XDP_PASS;   /* no bounds check */
}

char LICENSE[] SEC("license") = "GPL";
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>My eBPF tutorial</title></head>
<body style="max-width: 820px; margin: 2em auto; font-family: serif">
<h1>XDP in five minutes</h1>
<p>First, a program that drops everything:</p>
<pre data-bpflab data-hook="xdp" id="first">{passing}</pre>
<p>Now one the verifier refuses. Press Run and see why:</p>
<pre data-bpflab data-hook="xdp" id="second">{rejected}</pre>
<p>And a permalink, framed:</p>
<iframe id="framed" src="{site}/embed/p/{slug}" width="800" height="600"></iframe>
<script src="{site}/embed.js" async></script>
</body></html>
"""


@pytest.fixture
def microvm_site(live_stack, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second web server of the same site (same database, queue and worker) whose runs
    go to the microVM: the live stack's own one runs on the host kernel."""
    from django.conf import settings

    from web import services

    port = services.free_port()
    env = {
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "DATABASE_URL": services.database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SANDBOX_BACKEND": "microvm",
        "DEBUG": "true",
    }
    log = tmp_path / "web-microvm.log"
    web = services.start_process(services.web_command(port=port), log, env)
    try:
        ready = services.wait_until(lambda: services.is_listening("127.0.0.1", port), 30)
        assert ready, log.read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        services.stop_process(web)


@pytest.fixture
def tutorial_page(microvm_site: str, tmp_path: Path) -> Iterator[str]:
    """The third-party page, served by a plain static file server on its own port."""
    from labs.models import Snippet
    from labs.playground import parse_settings
    from web import services

    folder = tmp_path / "blog"
    folder.mkdir()
    snippet = Snippet.objects.create(
        source=PASSING.replace("XDP_DROP", "XDP_PASS"), settings=parse_settings({}).to_dict()
    )
    text = PAGE.format(
        passing=html.escape(PASSING),
        rejected=html.escape(REJECTED),
        site=microvm_site,
        slug=snippet.slug,
    )
    (folder / "index.html").write_text(text)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", services.free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(tmp_path: Path, output_dir: Path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 1400})
        browser_page = context.new_page()
        errors: list[str] = []
        browser_page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield browser_page
        finally:
            browser_page.screenshot(path=str(output_dir / "last.png"), full_page=True)
            browser.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def test_it_runs_two_embedded_snippets_on_a_page_of_another_origin(
    tutorial_page: str,
    microvm_site: str,
    page,
    output_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    from labs.models import Run, Submission

    page.goto(tutorial_page)
    widgets = page.locator(".bpflab-embed")
    expect(widgets).to_have_count(2, timeout=20_000)
    first, second = widgets.nth(0), widgets.nth(1)
    expect(first.locator("textarea")).to_have_value(PASSING)
    page.screenshot(path=str(output_dir / "1-page.png"), full_page=True)

    first.get_by_test_id("embed-run").click()
    verdict = first.get_by_test_id("embed-verdict")
    expect(verdict).to_contain_text("Ran", timeout=RUN_TIMEOUT_MS)
    expect(verdict).to_contain_text("XDP_DROP")
    expect(first.get_by_test_id("embed-action")).to_have_text("XDP_DROP")
    expect(first.get_by_test_id("embed-trace")).to_contain_text("dropping 58 bytes")

    second.get_by_test_id("embed-run").click()
    explanation = second.get_by_test_id("embed-explanation")
    expect(explanation).to_contain_text("data_end", timeout=RUN_TIMEOUT_MS)
    expect(second.get_by_test_id("embed-verdict")).to_contain_text("verifier rejected")
    expect(second.get_by_test_id("embed-load")).to_contain_text("Your line 8")
    page.screenshot(path=str(output_dir / "2-after-runs.png"), full_page=True)

    framed = page.frame_locator("#framed")
    framed.get_by_test_id("embed-run").click()
    expect(framed.get_by_test_id("embed-verdict")).to_contain_text(
        "XDP_PASS", timeout=RUN_TIMEOUT_MS
    )
    page.screenshot(path=str(output_dir / "3-framed.png"), full_page=True)

    runs = list(Run.objects.select_related("submission").order_by("created_at"))
    assert [r.backend for r in runs] == ["microvm"] * 3
    assert all(r.submission.user is None for r in runs)
    assert {r.submission.via for r in runs} == {Submission.EMBED}
    # the framed widget counts for the page that framed it, and runs its permalink's code
    assert {r.submission.site for r in runs} == {tutorial_page.rsplit("/", 1)[0]}
    assert runs[-1].submission.snippet is not None
