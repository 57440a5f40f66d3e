"""A learner in a real browser (Debian's chromium, headless) against the live stack: sign up,
open hello-printk, type a correct program, run it and watch the trace line and every check
turn green; then submit a broken one and see the compiler error marked on its line.

Screenshots go to test-results/<test name>/. With BPFLAB_UPDATE_SCREENSHOTS=1 the lab page
after the passing run is also written to docs/screenshots/lab-page.png for the README.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs import curriculum
from labs.models import Draft, Lab
from tests.browser import REPO, RUN_TIMEOUT_MS, replace_code, watched_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BROKEN_STATEMENT = "undeclared_counter += 1;"


@pytest.fixture
def page(tmp_path: Path, output_dir: Path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    # The sync Playwright API keeps an event loop in this thread; the ORM calls this test
    # makes between browser steps are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    viewport = {"width": 1440, "height": 1100}
    with watched_page(tmp_path / "profile", output_dir / "last.png", viewport) as browser_page:
        yield browser_page


def has_class(css_class: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){css_class}(\s|$)")


def run_and_wait(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.locator(".cm-content").focus()
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/runs/*/")
    expect(page.locator("#run-panel.status-done, #run-panel.status-error")).to_have_count(
        1, timeout=RUN_TIMEOUT_MS
    )


def sign_up(page, base_url: str, username: str = "browser-learner") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Sign up").first.click()
    page.fill("#id_username", username)
    page.fill("#id_password1", "a long pass phrase 9")
    page.fill("#id_password2", "a long pass phrase 9")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_selector(".whoami")


def test_it_runs_a_correct_then_a_broken_program_in_the_browser(
    live_stack, content, page, output_dir
):
    from playwright.sync_api import expect

    lab = Lab.objects.get(slug="hello-printk")
    # The lab's checks, and the generated-frames check where the lab has one.
    check_count = len(lab.checks) + bool(curriculum.get_lab(lab.slug).traffic)
    assert check_count > 0

    sign_up(page, live_stack.http_url)
    page.locator('[data-lab="hello-printk"] a').click()
    expect(page.locator("h1")).to_have_text(lab.title["en"])
    page.wait_for_selector(".cm-content")

    replace_code(page, lab.solution)
    # The draft is saved as the learner types, on the server, so another browser sees it.
    expect(page.locator("#draft-status")).to_have_text("Draft saved", timeout=10_000)
    assert Draft.objects.get(user__username="browser-learner", lab=lab).source == lab.solution
    run_and_wait(page)
    expect(page.locator("#run-trace")).to_contain_text("Hello, eBPF!")
    expect(page.locator("#run-checks li.check.passed")).to_have_count(check_count)
    expect(page.locator("#run-checks li.check:not(.passed)")).to_have_count(0)
    expect(page.locator("#run-disasm pre")).to_contain_text("bpf_printk", use_inner_text=False)
    expect(page.locator("#run-panel")).to_have_class(has_class("passed"))
    # Reloading replays the stored events: the same trace and verdicts come back.
    page.reload()
    expect(page.locator("#run-panel")).to_have_class(has_class("passed"), timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#run-trace")).to_contain_text("Hello, eBPF!")
    expect(page.locator("#run-checks li.check.passed")).to_have_count(check_count)
    page.wait_for_timeout(300)  # let the last rows paint before the picture
    page.screenshot(path=str(output_dir / "lab-page-passed.png"))
    if os.getenv("BPFLAB_UPDATE_SCREENSHOTS") == "1":
        target = REPO / "docs" / "screenshots" / "lab-page.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(output_dir / "lab-page-passed.png", target)

    broken = lab.solution.replace("return XDP_PASS;", f"{BROKEN_STATEMENT}\n\treturn XDP_PASS;")
    assert broken != lab.solution
    broken_line = broken.splitlines().index(f"\t{BROKEN_STATEMENT}") + 1
    replace_code(page, broken)
    run_and_wait(page)
    expect(page.locator("[data-testid=compile]")).to_contain_text(f"prog.c:{broken_line}:")
    marked = page.locator(".cm-line:has(.cm-lintRange-error)")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(BROKEN_STATEMENT)
    expect(page.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(1)
    expect(page.locator("#run-checks li.check.passed")).to_have_count(0)
    page.screenshot(path=str(output_dir / "lab-page-compile-error.png"))


def test_it_explains_a_verifier_rejection_and_shows_map_contents(
    live_stack, content, page, output_dir
):
    from playwright.sync_api import expect

    sign_up(page, live_stack.http_url, username="browser-learner-2")
    page.goto(f"{live_stack.http_url}/labs/verifier-bounds/")
    page.wait_for_selector(".cm-content")
    run_and_wait(page)  # the starter is rejected by the verifier on purpose
    load = page.locator("[data-testid=load]")
    expect(load).to_contain_text("The verifier rejected the program")
    expect(load.locator("[data-explain=pkt_access]")).to_contain_text("data_end")
    expect(page.locator(".verifier-log .log-failing")).to_have_count(1)
    source_line = int(re.search(r"Your line (\d+)", load.inner_text()).group(1))
    marked = page.locator(".cm-line:has(.cm-lintRange-error)")
    expect(marked).to_have_count(1)
    line_text = page.evaluate("n => window.bpflab.editor.lineText(n)", source_line)
    expect(marked).to_have_text(line_text)
    page.screenshot(path=str(output_dir / "verifier-rejection.png"))

    lab = Lab.objects.get(slug="map-array-counter")
    page.goto(f"{live_stack.http_url}/labs/map-array-counter/")
    replace_code(page, lab.solution)
    run_and_wait(page)
    table = page.locator("figure.map-dump[data-map=pkt_count] tbody tr")
    expect(table).not_to_have_count(0)
    expect(table.first).to_contain_text("00 00 00 00 = 0")
    page.screenshot(path=str(output_dir / "map-table.png"))


def test_it_recovers_a_dropped_connection_without_losing_or_repeating_events(
    live_stack, content, page, output_dir
):
    from playwright.sync_api import expect

    from labs.models import RunEvent

    connections: list = []

    def drop_the_first_connection_after_two_trace_lines(socket) -> None:  # type: ignore[no-untyped-def]
        connections.append(socket)
        server = socket.connect_to_server()
        if len(connections) > 1:
            return  # later connections pass through untouched
        traces = 0

        def relay(message) -> None:  # type: ignore[no-untyped-def]
            nonlocal traces
            if traces == 2:
                return
            socket.send(message)
            traces += json.loads(message).get("event") == "trace"
            if traces == 2:
                socket.close(code=4000, reason="dropped by the test")
                server.close()

        server.on_message(relay)

    page.route_web_socket(re.compile(r"/ws/runs/"), drop_the_first_connection_after_two_trace_lines)
    lab = Lab.objects.get(slug="hello-printk")
    sign_up(page, live_stack.http_url, username="browser-learner-3")
    page.goto(f"{live_stack.http_url}/labs/hello-printk/")
    replace_code(page, lab.solution)
    run_and_wait(page)

    assert len(connections) >= 2, "the page did not reconnect"
    token = page.url.rstrip("/").rsplit("/", 1)[-1]
    traced = RunEvent.objects.filter(run__token=token, kind="trace").count()
    assert traced > 0
    expect(page.locator("#run-trace .trace-line:not(.trace-note)")).to_have_count(traced)
    expect(page.locator("#run-checks li.check.passed")).to_have_count(
        len(lab.checks) + bool(curriculum.get_lab(lab.slug).traffic)
    )
    expect(page.locator("#run-stages li.done")).to_have_count(5)
    page.screenshot(path=str(output_dir / "after-reconnect.png"))
