"""The API tokens page with a token on it, in a real browser: the list passes axe's WCAG A
and AA rules (its Revoke button was drawn in the header's light grey, 1.2:1 on white), in
both languages, and fits a phone screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser_accessibility import axe_violations
from tests.test_browser_learner import page as page  # noqa: F401 (the fixture)
from tests.test_browser_learner import sign_up
from tests.test_browser_run_language import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_token_list_anyone_can_read(
    live_stack,
    content,
    page,  # noqa: F811
    output_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    sign_up(page, live_stack.http_url, "token-user")
    page.goto(f"{live_stack.http_url}/api/tokens/")
    page.fill("#token-name", "my tutorial site")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_test_id("new-key")).to_be_visible()
    page.goto(f"{live_stack.http_url}/api/tokens/")
    revoke = page.get_by_role("button", name="Revoke")
    expect(revoke).to_be_visible()

    for language in ("en", "zh-hans"):
        choose_language(page, language)
        page.screenshot(path=str(output_dir / f"tokens-{language}.png"))
        assert axe_violations(page) == [], language

    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    page.screenshot(path=str(output_dir / "tokens-phone.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
