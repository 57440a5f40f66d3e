"""What the browser tests share: Debian's chromium with the flags this machine needs and
typing into the CodeMirror editor (the screenshot folder is conftest's `output_dir`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium keeps dialling hosts this closed
# network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
RUN_TIMEOUT_MS = 90_000


@contextmanager
def running_playwright() -> Iterator:  # type: ignore[type-arg]
    """Playwright's sync API, and on the way out, the database connections the test opened
    meanwhile closed. Its event loop runs in this thread, and while a loop runs Django's
    connections are context-local (asgiref's Local): the ones opened then are out of reach
    once the loop is gone, and stayed open until PostgreSQL refused to drop the test
    database ("being accessed by other users")."""
    from django.db import connections
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        try:
            yield playwright
        finally:
            connections.close_all()


@contextmanager
def watched_page(
    profile: Path, screenshot: Path, viewport: dict[str, int], full_page: bool = False
) -> Iterator:  # type: ignore[type-arg]
    """A page of chromium on a profile of its own; it fails the test on any JavaScript
    error of the page, and leaves a screenshot of where it ended."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    with running_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport=viewport
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            page.screenshot(path=str(screenshot), full_page=full_page)
            context.close()
        assert not errors, f"JavaScript errors on the page: {errors}"


def replace_code(page, source: str) -> None:  # type: ignore[no-untyped-def]
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text types the characters as one input, so CodeMirror does not auto-close
    # brackets or re-indent what a learner would have typed line by line.
    page.keyboard.insert_text(source)
