"""Kernels in a real browser, against a stack whose worker runs microVMs: the picker runs
the program on the kernel picked, and "Run on every kernel" ends on the matrix."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import REPO, RUN_TIMEOUT_MS, replace_code
from tests.builders import built_kernel_images
from tests.test_browser_learner import page as page  # noqa: F401 (the fixture)
from tests.test_browser_learner import sign_up
from tests.test_browser_run_language import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SOLUTION = (REPO / "content" / "labs" / "verifier-iter-options" / "solution.c").read_text()


@pytest.fixture(scope="module")
def microvm_site(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A web process and a worker of their own, with SANDBOX_BACKEND=microvm, on a queue of
    their own (the session's live stack runs the local sandbox)."""
    from web import services
    from web.celery import app

    built_kernel_images()
    logs = tmp_path_factory.mktemp("microvm-site-logs")
    env = {
        "CELERY_QUEUE": f"bpflab-test-kernels-{uuid.uuid4().hex[:8]}",
        "DATABASE_URL": services.database_url(),
        "SANDBOX_BACKEND": "microvm",
        "DEBUG": "true",
    }
    name = f"kernels-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    port = services.free_port()
    worker = services.start_process(
        services.celery_command(concurrency=1, hostname=name), logs / "celery.log", env
    )
    web = services.start_process(services.web_command(port=port), logs / "web.log", env)
    try:
        assert services.wait_until(
            lambda: bool(app.control.ping(destination=[name], timeout=0.5)), 60
        ), (logs / "celery.log").read_text()
        assert services.wait_until(lambda: services.is_listening("127.0.0.1", port), 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        services.stop_process(web)
        services.stop_process(worker)


def test_it_runs_on_the_kernel_picked_then_on_every_kernel(
    microvm_site: str,
    content,  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    output_dir: Path,
) -> None:
    from playwright.sync_api import expect

    sign_up(page, microvm_site, username="kernel-learner")
    page.goto(f"{microvm_site}/labs/verifier-iter-options/")
    expect(page.get_by_test_id("kernel-requirement")).to_contain_text("Linux 6.12 or newer")
    picker = page.get_by_test_id("kernel-picker")
    expect(picker).to_have_value("6.12")  # the lab's default
    page.wait_for_selector(".cm-content")
    assert folded_controls(page) == []
    page.screenshot(path=str(output_dir / "kernel-picker.png"))
    replace_code(page, SOLUTION)
    picker.select_option("7.2")
    page.locator("#run-button").click()
    page.wait_for_url("**/runs/*/")
    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("run-kernel")).to_have_text("Linux 7.2")
    expect(page.get_by_test_id("verdict")).to_contain_text("Passed")
    page.screenshot(path=str(output_dir / "kernel-picked.png"))

    # on every kernel from the Chinese page, then read on the English one
    choose_language(page, "zh-hans")
    assert folded_controls(page) == []
    page.screenshot(path=str(output_dir / "kernel-picker-zh.png"))
    page.get_by_test_id("run-all-kernels").click()
    matrix = page.get_by_test_id("kernel-matrix")
    expect(matrix).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(page.get_by_test_id("matrix-summary")).to_contain_text("在全部 3 个内核上通过。")
    page.screenshot(path=str(output_dir / "kernel-matrix-zh.png"), full_page=True)
    choose_language(page, "en")
    expect(page.locator('tr[data-row="loaded"][data-differs="1"]')).to_have_count(1)
    expect(page.get_by_test_id("matrix-summary")).to_contain_text("Passed on all 3 kernels.")
    expect(matrix).to_contain_text("not found in kernel or module BTFs")
    said = page.get_by_test_id("matrix-summary").inner_text() + matrix.inner_text()
    assert not re.search(r"[\u4e00-\u9fff]", said), said
    page.screenshot(path=str(output_dir / "kernel-matrix.png"), full_page=True)


def folded_controls(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The editor bar's buttons and picker whose words fold onto a second line (taller
    than one line of text and its padding): the bar wraps them whole instead."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.editor-bar button, .editor-bar label')]
            .filter(control => control.getBoundingClientRect().height > 44)
            .map(control => control.textContent.trim())"""
    )


def test_it_shows_each_kernels_progress_in_the_readers_language(
    microvm_site: str,
    content,  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    output_dir: Path,
) -> None:
    """The page of a run on every kernel, before its matrix: each kernel's stage as its
    events arrive, in the page's words (a run here that no worker grades, its events sent
    from the test, so that the page is seen between two of them)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from playwright.sync_api import expect

    from labs import kernels
    from labs.events import publish
    from labs.models import Lab, Run
    from tests.builders import make_run

    sign_up(page, microvm_site, username="kernel-watcher")
    choose_language(page, "zh-hans")
    learner = get_user_model().objects.get(username="kernel-watcher")
    run = make_run(learner, Lab.objects.get(slug="verifier-iter-options"), SOLUTION, "microvm")
    lease = timezone.now() + timedelta(hours=1)  # no sweeper queues it for a worker
    Run.objects.filter(pk=run.pk).update(
        kernel=kernels.ALL, status=Run.RUNNING, lease_owner="test/1", lease_expires_at=lease
    )

    page.goto(f"{microvm_site}/runs/{run.token}/")
    progress = page.locator("#kernel-progress")
    expect(progress.locator('[data-kernel="7.2"] [data-state]')).to_have_text("等待中")
    publish(run, {"event": "stage", "stage": "compiling"})
    expect(progress.locator('[data-kernel="7.2"] [data-state]')).to_have_text("编译")
    publish(run, {"event": "stage", "stage": "booting", "kernel": "6.12", "release": ""})

    expect(progress.locator('[data-kernel="6.12"] [data-state]')).to_have_text("启动沙箱")
    expect(progress.locator('[data-kernel="7.2"] [data-state]')).to_have_text("编译")
    page.screenshot(path=str(output_dir / "kernel-progress-zh.png"))
