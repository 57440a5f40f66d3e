"""A run submitted from the Chinese page, then read from the English one: the panel says
"not run" and the verdict in English, and a verifier rejection points at its line."""

from __future__ import annotations

import pytest

from tests.test_browser_learner import page, run_and_wait, sign_up  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def choose_language(page, code: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.select_option("#language-select", code)
    page.wait_for_selector(f"html[lang={code}]")


def test_it_shows_a_chinese_run_in_english(live_stack, content, page, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    sign_up(page, live_stack.http_url, username="browser-language")
    page.goto(f"{live_stack.http_url}/labs/verifier-bounds/")
    choose_language(page, "zh-hans")
    page.wait_for_selector(".cm-content")
    run_and_wait(page)  # the starter is rejected by the verifier
    expect(page.locator("#run-verdict")).to_contain_text("你的程序没有运行")
    expect(page.locator("#run-checks li.check").first).to_contain_text("未运行")

    choose_language(page, "en")
    page.reload()
    expect(page.locator("#run-panel.status-done")).to_have_count(1)
    verdict = page.locator("#run-verdict")
    expect(verdict).to_contain_text("Your program was not run: the verifier rejected it at prog.c:")
    checks = page.locator("#run-checks li.check")
    expect(checks.first.locator(".check-detail code").last).to_have_text("not run")
    expect(page.locator("#run-checks")).not_to_contain_text("未运行")
    expect(page.locator("[data-testid=load] [data-explain=pkt_access]")).to_contain_text("data_end")
    page.screenshot(path=str(output_dir / "chinese-run-in-english.png"))
