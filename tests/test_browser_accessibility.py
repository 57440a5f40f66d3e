"""Accessibility in a real browser: axe-core's WCAG 2 A/AA rules pass on every page, in English
and in Simplified Chinese, for a visitor, a learner (lab pages before and after real runs) and
an instructor; the site fits a phone's width; the editor, Run, the result panel and the
dashboard work from the keyboard alone.

axe-core is the file committed in tests/vendor/ (from npm, see its README). Each test writes
what axe found to test-results/<test name>/axe.json, and screenshots beside it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.models import Lab, Run
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_MS, running_playwright
from tests.builders import make_demo_site
from tests.test_pages_chinese_everywhere import (
    chinese_client,
    english_words,
    instructor_pages,
    learner_pages,
    playground_pages,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PASSWORDS = {"alice": "correct horse 1", "ingrid": "correct horse 2"}
VISITOR_PAGES = [
    "/", "/labs/hello-printk/", "/plans/", "/accounts/login/", "/accounts/signup/",
    "/accounts/password_reset/", "/accounts/password_reset/done/", "/nowhere/",
]  # fmt: skip


@pytest.fixture
def browser(tmp_path: Path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_as(browser, base_url: str, language: str, username: str = "", width: int = 1366):  # type: ignore[no-untyped-def]
    """A fresh browser context in `language`, logged in as `username` when given."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    if username:
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORDS[username])
        page.locator("main button[type=submit]").click()
        page.wait_for_selector(".whoami", state="attached")
    return page


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
            return result.violations.map((v) => ({
                id: v.id, nodes: v.nodes.length,
                where: v.nodes.slice(0, 12).map((n) => n.target.join(" ")),
                why: [...new Set(v.nodes.map((n) => n.failureSummary))].slice(0, 4),
            }));
        }""",
        WCAG_AA,
    )


def scan(page, base_url: str, paths: list[str], found: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    for path in paths:
        page.goto(f"{base_url}{path}")
        page.wait_for_load_state("load")
        if (
            page.locator(".cm-content").count() == 0
            and page.locator("textarea[data-code-editor]").count()
        ):
            page.wait_for_selector(".cm-content")
        violations = axe_violations(page)
        if violations:
            found[f"{page.evaluate('document.documentElement.lang')} {path}"] = violations


def report(found: dict, output_dir: Path) -> str:  # type: ignore[type-arg]
    (output_dir / "axe.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    nodes = sum(v["nodes"] for violations in found.values() for v in violations)
    return f"{nodes} failing nodes:\n" + json.dumps(found, indent=1, ensure_ascii=False)[:6000]


def html_pages(paths: list[str]) -> list[str]:
    return [p for p in paths if not p.endswith((".csv", ".svg"))]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_every_page(live_stack, content, learner, browser, output_dir, language):
    site = make_demo_site(learner)
    base, found = live_stack.http_url, {}
    scan(open_as(browser, base, language), base, VISITOR_PAGES, found)
    mine = learner_pages(site) + playground_pages(chinese_client(site["learner"]))
    scan(open_as(browser, base, language, "alice"), base, html_pages(mine), found)
    teacher = open_as(browser, base, language, "ingrid")
    scan(teacher, base, html_pages(instructor_pages(site)), found)
    teacher.screenshot(path=str(output_dir / f"run-detail-{language}.png"), full_page=True)
    assert not found, report(found, output_dir)


def run_in_browser(page, base_url: str, slug: str, source: str | None = None) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(f"{base_url}/labs/{slug}/")
    page.wait_for_selector(".cm-content")
    if source is not None:
        page.evaluate(
            "s => { const v = window.bpflab.editor.view; "
            "v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: s}}); }",
            source,
        )
    page.locator("#run-button").click()
    page.wait_for_url("**/runs/*/")
    expect(page.locator("#run-panel.status-done, #run-panel.status-error")).to_have_count(
        1, timeout=RUN_TIMEOUT_MS
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_passes_axe_on_lab_pages_after_real_runs(
    live_stack, content, learner, browser, output_dir, language
):

    from playwright.sync_api import expect

    has_attempted = re.compile(r"badge-attempted")
    base, found = live_stack.http_url, {}
    page = open_as(browser, base, language, "alice")
    counter = Lab.objects.get(slug="map-array-counter")
    broken = counter.solution.replace("return XDP_PASS;", "undeclared += 1;\n\treturn XDP_PASS;")
    runs = [
        ("verifier-bounds", None),  # rejected by the verifier on purpose
        ("map-array-counter", counter.solution),  # maps and trace
        ("map-array-counter", broken),  # compiler errors
        ("hello-printk", None),  # the starter: failed checks
    ]
    english: dict[str, list[str]] = {}
    for slug, source in runs:
        run_in_browser(page, base, slug, source)
        if slug == "verifier-bounds":
            # The first run on a lab failed: the lab is attempted now, not "not started".
            expect(page.locator("[data-testid=lab-status]")).to_have_class(has_attempted)
        page.wait_for_timeout(300)
        violations = axe_violations(page)
        if violations:
            found[f"{language} {slug} after a run"] = violations
        if language == "zh-hans":
            # What the bundle wrote (errno texts, map captions, severities...) is Chinese too.
            words = english_words(panel_prose(page))
            if words:
                english[slug] = words
        page.screenshot(path=str(output_dir / f"{slug}-{language}.png"), full_page=True)
    assert not page.errors
    assert not english, f"English in the run panel: {english}"
    assert not found, report(found, output_dir)


def panel_prose(page) -> str:  # type: ignore[no-untyped-def]
    """The run panel's text without code, preformatted output and key names."""
    return page.evaluate(
        """() => {
            const panel = document.getElementById("run-panel").cloneNode(true);
            // Code, output, key names, and the verifier's own words quoted after a colon.
            // Tools' own English (clang's messages) is marked lang="en".
            panel.querySelectorAll("code, pre, kbd, .diag-where, .verifier-error, [lang=en]").forEach((n) => n.remove());
            const verdict = panel.querySelector("#run-verdict");
            verdict.textContent = verdict.textContent.split("：")[0];
            panel.querySelectorAll("details:not([open]) > :not(summary)").forEach((n) => n.remove());
            return panel.innerText;
        }"""
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_fits_a_phone_screen(live_stack, content, learner, browser, output_dir, language):
    site = make_demo_site(learner)
    base = live_stack.http_url
    page = open_as(browser, base, language, "alice", width=390)
    wide = {}
    for path in [
        "/",
        "/labs/hello-printk/",
        f"/runs/{site['failed'].token}/",
        "/plans/",
        "/classroom/",
    ]:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        header = page.evaluate(
            "(() => { const h = document.querySelector('.site-header');"
            " return h.scrollWidth - h.clientWidth; })()"
        )
        name = path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=str(output_dir / f"phone-{name}-{language}.png"))
        if overflow > 0 or header > 0:
            wide[path] = {"page": overflow, "header": header}
    teacher = open_as(browser, base, language, "ingrid", width=390)
    for n, path in enumerate(
        [
            f"/classroom/cohorts/{site['cohort'].pk}/",
            f"/classroom/cohorts/{site['cohort'].pk}/runs/{site['failed'].pk}/",
        ]
    ):
        teacher.goto(f"{base}{path}")
        teacher.wait_for_load_state("load")
        overflow = teacher.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        teacher.screenshot(
            path=str(output_dir / f"phone-teacher-{n}-{language}.png"), full_page=True
        )
        if overflow > 0:
            wide[path] = {"page": overflow}
    assert wide == {}, f"wider than a phone (px): {wide}"


def tab_until(page, selector: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Presses Tab until the focused element matches `selector` (fails after `limit`), as a
    keyboard user would: in the code editor Tab indents, so there it is Escape, then Tab."""
    for _ in range(limit):
        if page.evaluate("document.activeElement?.matches('.cm-content') ?? false"):
            page.keyboard.press("Escape")
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_it_works_from_the_keyboard_alone(live_stack, content, learner, browser, output_dir):
    from playwright.sync_api import expect

    site = make_demo_site(learner)
    base = live_stack.http_url
    page = open_as(browser, base, "en", "alice")
    lab = Lab.objects.get(slug="hello-printk")
    page.goto(f"{base}/labs/hello-printk/")
    page.wait_for_selector(".cm-content")
    tab_until(page, ".cm-content")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(lab.solution)
    # Tab indents inside the editor; Escape then Tab leaves it (CodeMirror's focus escape).
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.matches('.cm-content')")
    page.keyboard.press("Shift+Tab")
    tab_until(page, "#run-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runs/*/")
    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#run-panel")).to_have_class(re.compile(r"(^|\s)passed(\s|$)"))
    expect(page.locator("#run-checks li.check:not(.passed)")).to_have_count(0)
    # The result panel's scrolling parts take the focus, so they scroll with the arrow keys.
    tab_until(page, "#run-trace")
    tab_until(page, "#run-disasm summary")
    page.keyboard.press("Enter")
    expect(page.locator("#run-disasm")).to_have_attribute("open", "")
    assert Run.objects.filter(submission__lab=lab, passed=True).count() == 1

    teacher = open_as(browser, base, "en", "ingrid")
    teacher.goto(f"{base}/classroom/cohorts/{site['cohort'].pk}/")
    tab_until(teacher, 'th[data-sort="attempts"] a')
    teacher.keyboard.press("Enter")
    teacher.wait_for_url("**sort=attempts**")
    tab_until(teacher, "#feed")
    tab_until(teacher, "#feed a")
    teacher.keyboard.press("Enter")
    teacher.wait_for_url("**/runs/*/")
    teacher.screenshot(path=str(output_dir / "keyboard-run-detail.png"), full_page=True)
