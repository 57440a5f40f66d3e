"""A run submitted from the Chinese page, then read from the English one: its decided
checks (what each expected and what the program did) read in English too, not only the
checks that were not run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_browser_learner import page, run_and_wait, sign_up  # noqa: F401 (fixture)
from tests.test_browser_run_language import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EITHER_PORT = (
    Path(__file__).resolve().parent / "solutions" / "socket-filter-dns" / "bad_either_port.c"
).read_text()


def test_it_shows_a_chinese_runs_checks_in_english(live_stack, content, page, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    from tests.browser import replace_code

    sign_up(page, live_stack.http_url, username="browser-check-rows")
    page.goto(f"{live_stack.http_url}/labs/socket-filter-dns/")
    choose_language(page, "zh-hans")
    page.wait_for_selector(".cm-content")
    replace_code(page, EITHER_PORT)
    run_and_wait(page)
    reply = page.locator('#run-checks li.check[data-check="dns-reply-dropped"]')
    expect(reply.locator(".check-detail code").first).to_have_text("丢弃（返回 0）")
    page.screenshot(path=str(output_dir / "check-rows-in-chinese.png"))

    choose_language(page, "en")
    page.reload()
    expect(page.locator("#run-panel.status-done")).to_have_count(1)
    expect(reply.locator(".check-detail code").first).to_have_text("dropped (returns 0)")
    expect(reply.locator(".check-detail code").last).to_contain_text("kept it (returned ")
    checks = page.locator("#run-checks").inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", checks), checks
    page.locator("#run-checks").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "chinese-run-checks-in-english.png"))
