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


def test_it_says_a_misspelled_helper_did_not_load_and_marks_its_line(
    live_stack,
    content,
    page,  # noqa: F811
    output_dir,
):
    from pathlib import Path

    from playwright.sync_api import expect

    from labs.models import Lab
    from tests.browser import replace_code

    typo = (Path(__file__).resolve().parent / "verifier_logs" / "misspelled_helper.c").read_text()
    line = next(i for i, text in enumerate(typo.splitlines(), 1) if "bpf_map_lookup_elm(" in text)
    sign_up(page, live_stack.http_url, username="browser-typo")
    lab = Lab.objects.get(slug="map-array-counter")
    page.goto(f"{live_stack.http_url}/labs/{lab.slug}/")
    page.wait_for_selector(".cm-content")
    replace_code(page, typo)
    run_and_wait(page)

    load = page.locator("[data-testid=load]")
    expect(load).to_contain_text("The program did not load")
    expect(load).not_to_contain_text("The verifier rejected the program")
    expect(load).to_contain_text(f"Your line {line}")
    expect(load.locator("[data-explain=unknown_function]")).to_contain_text("misspelled")
    expect(page.locator(".cm-line:has(.cm-lintRange-error)")).to_contain_text("bpf_map_lookup_elm")
    expect(page.locator("#run-verdict")).to_contain_text("bpf_map_lookup_elm")
    page.screenshot(path=str(output_dir / "misspelled-helper.png"))
