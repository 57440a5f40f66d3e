"""The playground at phone width (390 px): a run's bytes in and bytes out stack one above
the other inside the run panel (side by side, "bytes out" was cut off at the panel's
edge), each a box of its own that scrolls sideways and takes the keyboard focus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import RUN_TIMEOUT_MS
from tests.test_browser_learner import page as page  # noqa: F401 (the fixture)
from tests.test_browser_learner import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_stacks_bytes_in_and_out_inside_the_panel_on_a_phone(
    live_stack,
    content,
    page,  # noqa: F811
    output_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    sign_up(page, live_stack.http_url, "phone-user")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_stack.http_url}/playground/")
    page.locator("#run-button").click()
    page.wait_for_url("**/playground/runs/*/")
    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    boxes = page.locator(".bytes-compare > div")
    expect(boxes).to_have_count(2)
    page.locator(".work").screenshot(path=str(output_dir / "phone-bytes.png"))

    panel = page.locator("#run-panel").bounding_box()
    bytes_in, bytes_out = boxes.nth(0).bounding_box(), boxes.nth(1).bounding_box()
    assert panel and bytes_in and bytes_out
    assert bytes_out["y"] >= bytes_in["y"] + bytes_in["height"]  # below, not beside
    for box in (bytes_in, bytes_out):
        assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"]
    for pre in page.locator("pre.bytes").all():
        assert pre.get_attribute("tabindex") == "0"
