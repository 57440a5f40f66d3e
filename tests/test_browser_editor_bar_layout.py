"""The editor bar of a lab with a kernel picker, in Chinese, at desktop (1280 px) and
phone (390 px) width: every button and the picker keep their label on one line (the bar
wraps to a second row instead), the status badge stays one line, the Run button shows no
stray "+" once its shortcut is hidden, and nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_browser_kernels import microvm_site as microvm_site  # noqa: F401 (the fixture)
from tests.test_browser_learner import page as page  # noqa: F401 (the fixture)
from tests.test_browser_learner import sign_up
from tests.test_browser_run_language import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# How far apart (px) the tops of an element's text boxes are: a label broken over two
# lines is a line height (18 px or more) apart; kbd keys on one line differ by a few px.
TEXT_SPREAD = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
  return Math.max(...tops) - Math.min(...tops);
}"""
ONE_LINE_PX = 12


def labels_on_more_than_one_line(page) -> dict[str, float]:  # type: ignore[no-untyped-def]
    found = {}
    for element in page.locator(
        ".editor-bar button, .editor-bar .kernel-picker, [data-testid=lab-status]"
    ).all():
        spread = element.evaluate(TEXT_SPREAD)
        if spread > ONE_LINE_PX:
            found[element.inner_text()] = spread
    return found


@pytest.mark.parametrize("width", [1280, 390])
def test_it_keeps_the_editor_bar_labels_on_one_line(
    microvm_site: str,  # noqa: F811
    content,  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    output_dir: Path,
    width: int,
) -> None:
    from playwright.sync_api import expect

    sign_up(page, microvm_site, username=f"bar-learner-{width}")
    page.goto(f"{microvm_site}/labs/verifier-iter-options/")
    choose_language(page, "zh-hans")
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_selector(".cm-content")
    expect(page.get_by_test_id("kernel-picker")).to_be_visible()
    page.locator(".work").screenshot(path=str(output_dir / f"editor-bar-{width}.png"))

    assert labels_on_more_than_one_line(page) == {}
    run_label = page.locator("#run-button").inner_text()
    assert "运行" in run_label
    assert ("Ctrl" in run_label) == (width > 640) and ("+" in run_label) == (width > 640)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
