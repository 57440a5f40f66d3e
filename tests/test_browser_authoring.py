"""An instructor writes a lab in a real browser: the editor names the field at fault as
they type and previews the lesson sanitised; the self-check runs live on the sandbox
through the queue; publishing makes version 1, which the cohort's learner then opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labs import authoring
from labs.models import AuthoredLab
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_MS, running_playwright
from tests.builders import authored_files, make_cohort, make_instructor

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLUG = "course-drop-all"


@pytest.fixture
def browser(monkeypatch) -> Iterator:  # type: ignore[type-arg]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with running_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def signed_in(browser, base: str, username: str, password: str):  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main button[type=submit]").click()
    page.wait_for_selector(".whoami", state="attached")
    return page


def test_it_writes_self_checks_and_publishes_a_lab(live_stack, learner, browser, output_dir: Path):
    base = live_stack.http_url
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner, name="Tuesday group")
    page = signed_in(browser, base, "ingrid", "correct horse 2")

    page.goto(f"{base}/authoring/")
    page.fill("#id_slug", SLUG)
    page.get_by_role("button", name="Create lab").click()
    page.wait_for_url(f"{base}/authoring/{SLUG}/")
    assert "The lab loads" in page.inner_text("#problem")

    # as you type: the field at fault, and the lesson preview, sanitised
    lab_yaml = page.input_value("#f-lab-yaml")
    page.fill("#f-lab-yaml", lab_yaml.replace("program_type: xdp", "program_type: xpd"))
    page.wait_for_function(
        "document.querySelector('#problem').textContent.includes('program_type')"
    )
    assert page.get_attribute("#f-lab-yaml", "aria-invalid") == "true"
    page.fill("#f-lesson-en", "# Drop\n\n**Everything** goes.\n\n<img src=x onerror=alert(1)>\n")
    page.wait_for_selector("#preview-en strong")
    assert "onerror" not in page.inner_html("#preview-en")

    # the real lab's files, with the generated traffic in its own box
    files = authored_files(SLUG)
    rest, differential = authoring.split_differential(files["lab.yaml"])
    page.fill("#f-lab-yaml", rest)
    page.fill("#f-differential", differential)
    for name, selector in [
        ("lesson.en.md", "#f-lesson-en"),
        ("lesson.zh-hans.md", "#f-lesson-zh"),
        ("starter.c", "#f-starter"),
        ("solution.c", "#f-solution"),
        ("starter.zh-hans.c", "#f-starter-zh"),
        ("hints.en.yaml", "#f-hints-en"),
        ("hints.zh-hans.yaml", "#f-hints-zh"),
    ]:
        page.fill(selector, files[name])
    page.wait_for_function("document.querySelector('#problem').className.includes('good')")
    page.screenshot(path=str(output_dir / "editor.png"), full_page=True)
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_selector(".messages")
    saved = AuthoredLab.objects.get(lab__slug=SLUG).files
    assert authoring.validate(saved, SLUG).traffic is not None
    # every file as typed; lab.yaml has its differential block moved to its end
    assert {n: t for n, t in saved.items() if n != "lab.yaml"} == {
        n: t for n, t in files.items() if n != "lab.yaml"
    }

    # the self-check, live: the checks stream in, then the page shows what they proved
    page.get_by_role("button", name="Run the self-check").click()
    page.wait_for_url(f"{base}/authoring/{SLUG}/self-check/*/")
    page.wait_for_selector("#self-check-runs [data-events] li", timeout=RUN_TIMEOUT_MS)
    page.screenshot(path=str(output_dir / "self-check-live.png"), full_page=True)
    page.wait_for_selector("#self-check-result", timeout=RUN_TIMEOUT_MS)
    assert "The self-check passed." in page.inner_text("#self-check-state")
    page.screenshot(path=str(output_dir / "self-check-done.png"), full_page=True)

    page.get_by_role("button", name="Publish a new version").click()
    page.wait_for_url(f"{base}/authoring/{SLUG}/")
    assert "Published: version 1." in page.inner_text("#lab-status")
    page.check(f"#cohort-{cohort.pk}")
    page.locator("form[action$='/sharing/'] button").click()
    page.wait_for_selector(".messages")
    assert page.errors == []

    student = signed_in(browser, base, "alice", "correct horse 1")
    student.goto(f"{base}/")
    student.get_by_role("link", name="Drop everything").first.click()
    student.wait_for_url(f"{base}/labs/{SLUG}/")
    student.screenshot(path=str(output_dir / "learner-lab.png"), full_page=True)
    assert student.errors == []
