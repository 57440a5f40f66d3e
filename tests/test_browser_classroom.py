"""An instructor and a learner in two real browser sessions (Debian's chromium, headless)
against the live stack: the instructor creates a cohort, the learner opens its join link,
signs up, joins, starts the full-path plan and passes hello-printk in the editor (the
home page then leads with the plan's next lab); the instructor's activity feed shows
the run live, says its grid is behind, and after a reload the grid shows the lab passed.
Screenshots go to test-results/<test name>/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.models import Cohort, Lab, Membership, Plan
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_MS, replace_code, running_playwright
from tests.builders import make_instructor

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Generous per step: the suite shares two cores with a Celery worker and a sandbox.
STEP_TIMEOUT_MS = 20_000
LEARNER = "browser-learner"


@pytest.fixture
def browser() -> Iterator:  # type: ignore[type-arg]
    pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    # The sync Playwright API keeps an event loop in this thread; the ORM calls this test
    # makes between browser steps are plain synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_page(browser, errors: list[str]):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def log_in(page, base_url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".whoami")


def test_it_shows_a_learners_pass_on_the_instructors_grid(live_stack, content, browser, output_dir):
    from playwright.sync_api import expect

    expect.set_options(timeout=STEP_TIMEOUT_MS)
    base = live_stack.http_url
    lab = Lab.objects.get(slug="hello-printk")
    make_instructor("ingrid")
    errors: list[str] = []
    teacher, learner = new_page(browser, errors), new_page(browser, errors)

    # The instructor creates a cohort and reads its join link off the dashboard.
    log_in(teacher, base, "ingrid", "correct horse 2")
    teacher.goto(f"{base}/classroom/")
    teacher.fill("#id_name", "Browser cohort")
    teacher.get_by_role("button", name="Create cohort").click()
    expect(teacher.locator("h1")).to_have_text("Browser cohort")
    join_link = teacher.locator("#join-link").get_attribute("href")
    cohort = Cohort.objects.get(name="Browser cohort")
    assert join_link and join_link.endswith(f"/classroom/join/{cohort.join_code}/")
    expect(teacher.locator("#feed-state")).to_have_text("live")
    expect(teacher.locator("#grid-stale")).to_be_hidden()

    # The learner follows the link, signs up, joins.
    learner.goto(join_link)
    learner.get_by_role("link", name="Sign up").last.click()
    learner.fill("#id_username", LEARNER)
    learner.fill("#id_password1", "a long pass phrase 9")
    learner.fill("#id_password2", "a long pass phrase 9")
    learner.get_by_role("button", name="Create account").click()
    learner.wait_for_selector(".whoami")
    learner.goto(join_link)
    expect(learner.locator("main")).to_contain_text("Browser cohort")
    learner.screenshot(path=str(output_dir / "learner-join.png"))
    learner.get_by_role("button", name="Join").click()
    expect(learner.locator("main")).to_contain_text("Browser cohort")
    assert Membership.objects.filter(cohort=cohort, user__username=LEARNER).exists()

    # The learner starts the full path, then passes its first lab in the editor.
    learner.goto(f"{base}/plans/full-path/")
    learner.get_by_role("button", name="Start this plan").click()
    expect(learner.locator(".plan-next-lab")).to_have_attribute("data-lab", "hello-printk")
    learner.goto(f"{base}/labs/hello-printk/")
    learner.wait_for_selector(".cm-content")
    replace_code(learner, lab.solution)
    learner.keyboard.press("Control+Enter")
    learner.wait_for_url("**/runs/*/")
    expect(learner.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    expect(learner.locator("#run-trace")).to_contain_text("Hello, eBPF!")

    learner.goto(f"{base}/")
    expect(learner.locator("#home-plan .plan-next-lab")).to_have_attribute(
        "data-lab", "printk-fields"
    )
    plan_size = len(Plan.objects.get(slug="full-path").lab_slugs)
    expect(learner.locator("#home-plan")).to_contain_text(f"1/{plan_size}")
    learner.screenshot(path=str(output_dir / "learner-home-plan.png"), full_page=True)

    # The instructor saw it live, and the grid shows the pass.
    finished = teacher.locator(f'#feed li[data-learner="{LEARNER}"][data-status="done"]')
    expect(finished).to_have_count(1)
    expect(finished).to_contain_text("passed")
    # One line per run, updated as it moved on: no stale "compiling" line left behind.
    expect(teacher.locator(f'#feed li[data-learner="{LEARNER}"]')).to_have_count(1)
    # The grid counts the runs finished when the page was made: it says it is behind.
    expect(teacher.locator("#grid-stale")).to_be_visible()
    teacher.screenshot(path=str(output_dir / "dashboard-live-feed.png"), full_page=True)
    teacher.get_by_role("link", name="Reload to update the grid and charts").click()
    expect(teacher.locator("#grid-stale")).to_be_hidden()
    cell = teacher.locator(f'tr[data-learner="{LEARNER}"] td[data-lab="hello-printk"]')
    expect(cell).to_have_attribute("data-status", "passed")
    expect(cell).to_contain_text("1 attempt")
    teacher.screenshot(path=str(output_dir / "dashboard-grid.png"), full_page=True)

    # Drill down to the learner's run: their code and its event stream.
    teacher.get_by_role("link", name=LEARNER).first.click()
    teacher.locator("details summary").first.click()
    expect(teacher.locator("pre.code").first).to_contain_text("Hello, eBPF!")
    teacher.get_by_role("link", name="run").first.click()
    expect(teacher.locator("#events")).to_contain_text("finished")
    teacher.screenshot(path=str(output_dir / "run-drill-down.png"), full_page=True)

    assert not errors, f"JavaScript errors on the pages: {errors}"
