"""Stages 7-11 in a real browser against the live stack (local sandbox): ring buffer
records stream into the run panel as they arrive, decoded through the map's BTF; a lab
that needs the microVM says so on this site and cannot be run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.models import Lab
from tests.browser import REPO, replace_code
from tests.test_browser_learner import page as page  # noqa: F401 (the fixture)
from tests.test_browser_learner import run_and_wait, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TYPED_RING = (REPO / "tests" / "solutions" / "ringbuf-exec" / "ok_raw_bytes.c").read_text()


@pytest.fixture
def local_site(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "local"
    yield


def test_it_streams_ring_buffer_records_decoded_into_the_run_panel(
    local_site,
    live_stack,
    content,
    page,
    output_dir: Path,  # noqa: F811
):
    from playwright.sync_api import expect

    lab = Lab.objects.get(slug="ringbuf-exec")
    sign_up(page, live_stack.http_url, username="ring-learner")
    page.goto(f"{live_stack.http_url}/labs/ringbuf-exec/")
    page.wait_for_selector(".cm-content")

    replace_code(page, TYPED_RING)
    run_and_wait(page)

    records = page.locator("#run-trace .trace-record")
    expect(records.filter(has_text='filename="/bin/true"').first).to_be_visible()
    expect(records.first).to_contain_text("ring buffer events, 68 bytes:")
    expect(page.locator("#run-checks li.check.passed")).to_have_count(len(lab.checks))
    page.screenshot(path=str(output_dir / "ringbuf-records.png"))
    page.locator("#run-trace").screenshot(path=str(output_dir / "ringbuf-trace.png"))


def test_it_says_a_kprobe_lab_needs_the_microvm_and_disables_run(
    local_site,
    live_stack,
    content,
    page,
    output_dir: Path,  # noqa: F811
):
    from playwright.sync_api import expect

    sign_up(page, live_stack.http_url, username="kprobe-learner")
    card = page.locator('[data-lab="kprobe-unlink"]')
    expect(card.locator("[data-testid=sandbox-note]")).to_contain_text("Needs the microvm sandbox")

    page.goto(f"{live_stack.http_url}/labs/kprobe-unlink/")
    expect(page.locator("[data-testid=sandbox-note]")).to_contain_text(
        "this site runs the local sandbox"
    )
    expect(page.locator("#run-button")).to_be_disabled()
    page.screenshot(path=str(output_dir / "kprobe-on-local.png"))
