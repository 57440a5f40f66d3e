"""A run on the one microVM kernel picked, watched live: its verdict is worded from its own
checks (its verdict event names its kernel, its check events do not), so the page says
how many of them passed, never "All 0 checks passed"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

from sandbox import image as vm_image
from tests.builders import built_kernel_images, make_lab
from tests.test_run_viewer_language import events_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.asyncio,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
LABS = Path(__file__).resolve().parent.parent / "content" / "labs"


def graded_run(learner, kernel: str, source: str):  # type: ignore[no-untyped-def]
    from labs.models import Run
    from labs.runner import execute_run
    from labs.submissions import submit

    run = submit(learner, make_lab("xdp-drop-all"), source, backend="microvm", kernel=kernel)
    execute_run(run.pk)
    return Run.objects.get(pk=run.pk)


@pytest.fixture
def microvm(settings):  # type: ignore[no-untyped-def]
    built_kernel_images()
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    return settings


async def test_it_counts_the_checks_of_a_run_on_the_kernel_picked(microvm, learner):
    solution = (LABS / "xdp-drop-all" / "solution.c").read_text()
    run = await sync_to_async(graded_run)(learner, "7.2", solution)
    assert run.kernel == "7.2" and run.passed is True

    events = await events_of(run, learner, "?lang=en")

    checks = [e for e in events if e["event"] == "check"]
    verdict = next(e for e in events if e["event"] == "verdict")
    assert len(checks) >= 2 and verdict.get("kernel") == "7.2"
    assert verdict["summary"] == f"All {len(checks)} checks passed."


async def test_it_counts_the_failed_checks_of_a_run_on_the_kernel_picked(microvm, learner):
    passes_everything = (LABS / "xdp-drop-all" / "starter.c").read_text()
    run = await sync_to_async(graded_run)(learner, "6.12", passes_everything)

    events = await events_of(run, learner, "?lang=en")

    checks = [e for e in events if e["event"] == "check"]
    verdict = next(e for e in events if e["event"] == "verdict")
    passed = sum(bool(c["passed"]) for c in checks)
    assert run.passed is False and passed < len(checks)
    assert verdict["summary"] == f"{passed} of {len(checks)} checks passed."
