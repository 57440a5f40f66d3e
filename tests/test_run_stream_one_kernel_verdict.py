"""A run on one microVM kernel, watched over the socket: its verdict (tagged with the
kernel, unlike its checks) is worded from its checks, so a rejected program's summary
says why and a graded one counts its checks, instead of "not run: ." or "0 of 0"."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

from sandbox import image as vm_image
from tests.test_run_viewer_language import events_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
LABS = Path(__file__).resolve().parent.parent / "content" / "labs"


@pytest.fixture(autouse=True)
def microvm(settings):  # type: ignore[no-untyped-def]
    built, errors = vm_image.build_all(log=lambda message: None)
    assert not errors, errors
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    return settings


def graded_on_6_1(learner, slug: str, source_file: str):  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from labs.models import Lab
    from labs.runner import execute_run
    from labs.submissions import submit

    call_command("load_content", verbosity=0)
    lab = Lab.objects.get(slug=slug)
    source = (LABS / slug / source_file).read_text()
    run = submit(learner, lab, source, backend="microvm", language="en", kernel="6.1")
    execute_run(run.pk)
    run.refresh_from_db()
    return run


async def test_it_says_why_a_program_rejected_on_one_kernel_did_not_run(learner):
    run = await sync_to_async(graded_on_6_1)(learner, "verifier-bounds", "starter.c")
    assert run.kernel == "6.1" and run.stage_reached == "load"

    events = await events_of(run, learner, "?lang=en")

    verdict = next(e for e in events if e["event"] == "verdict")
    assert verdict["kernel"] == "6.1"
    assert verdict["summary"].startswith("Your program was not run: the verifier rejected it")


async def test_it_counts_the_checks_of_a_program_graded_on_one_kernel(learner):
    run = await sync_to_async(graded_on_6_1)(learner, "xdp-drop-all", "solution.c")
    total = len(run.verdict["checks"])
    assert run.passed is True and total > 1

    events = await events_of(run, learner, "?lang=en")

    verdict = next(e for e in events if e["event"] == "verdict")
    assert verdict["summary"] == f"All {total} checks passed."
