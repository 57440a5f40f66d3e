"""A learner's run page in a real browser while no worker can take the run: Redis is down
and no worker is up. The page says the run waits for a worker; once Redis and a worker
are back, the same open page reconnects and shows the verdict, without a reload.

Screenshots go to test-results/<test name>/ (waiting.png, done.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from labs.models import Lab
from labs.submissions import submit
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_MS, running_playwright
from tests.chaos import learners

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(tmp_path: Path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            viewport={"width": 1440, "height": 1100},
        )
        try:
            yield context
        finally:
            context.close()


def test_it_says_a_run_waits_for_a_worker_then_shows_its_verdict(
    chaos, content, browser, output_dir
):
    from playwright.sync_api import expect

    lab = Lab.objects.get(slug="hello-printk")
    (learner,) = learners(1)
    http_url, _ws_url = chaos.start_web()
    client = Client()
    client.force_login(learner)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": http_url}
    browser.add_cookies([cookie])
    chaos.redis.kill()
    run = submit(learner, lab, lab.solution, backend="local")

    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{http_url}/runs/{run.token}/")
    verdict = page.locator("#run-verdict")
    expect(verdict).to_contain_text("Waiting for a worker to take this run")
    page.screenshot(path=str(output_dir / "waiting.png"))

    chaos.redis.start()
    chaos.start_worker(concurrency=1)

    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    expect(verdict).to_contain_text("Passed")
    page.screenshot(path=str(output_dir / "done.png"))
    assert not errors, f"JavaScript errors on the page: {errors}"
