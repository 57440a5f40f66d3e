"""What the browser tests share: Debian's chromium with the flags this machine needs and
typing into the CodeMirror editor (the screenshot folder is conftest's `output_dir`)."""

from __future__ import annotations

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


def replace_code(page, source: str) -> None:  # type: ignore[no-untyped-def]
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text types the characters as one input, so CodeMirror does not auto-close
    # brackets or re-indent what a learner would have typed line by line.
    page.keyboard.insert_text(source)
