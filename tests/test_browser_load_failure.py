"""A program with a section name libbpf does not know, run from the lab page: the panel
says it did not load (not that the verifier rejected it), explains the wrong section and
marks its line, in English and in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser_learner import page, run_and_wait, sign_up  # noqa: F401 (fixture)
from tests.test_browser_run_language import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOLUTION = Path(__file__).resolve().parent.parent / "content/labs/xdp-drop-all/solution.c"
WRONG_SECTION = SOLUTION.read_text().replace('SEC("xdp")', 'SEC("xdpp")')


def test_it_says_a_wrong_section_did_not_load(live_stack, content, page, output_dir):  # noqa: F811
    from playwright.sync_api import expect

    from tests.browser import replace_code

    sign_up(page, live_stack.http_url, username="browser-wrong-section")
    page.goto(f"{live_stack.http_url}/labs/xdp-drop-all/")
    page.wait_for_selector(".cm-content")
    replace_code(page, WRONG_SECTION)
    run_and_wait(page)

    load = page.locator("[data-testid=load]")
    expect(load).to_contain_text("The program did not load")
    expect(load).not_to_contain_text("The verifier rejected the program")
    expect(load.locator("[data-explain=bad_section]")).to_contain_text("never ran")
    expect(page.locator("#run-verdict")).to_contain_text('SEC("xdpp")')
    expect(page.locator("#run-verdict")).not_to_contain_text("verifier rejected")
    expect(page.locator(".cm-lintRange-error")).to_have_count(1)
    page.screenshot(path=str(output_dir / "wrong-section.png"))

    choose_language(page, "zh-hans")
    page.reload()
    expect(load).to_contain_text("程序没有加载成功")
    expect(load.locator("[data-explain=bad_section]")).to_contain_text("验证器也没有运行")
    expect(page.locator("#run-verdict")).to_contain_text("验证器没有运行")
    page.screenshot(path=str(output_dir / "wrong-section-zh-hans.png"))
