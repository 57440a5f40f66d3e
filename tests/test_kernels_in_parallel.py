"""A run on every kernel runs the kernels' VMs side by side, as many at once as the machine
has cores (under TCG one VM keeps a core busy), never more: the events of each kernel,
from its first to its verdict, overlap those of the others that many at a time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from labs.grading.kernels import grade_on_kernels, parallelism
from labs.spec import load_lab_by_slug
from sandbox import image as vm_image
from tests.builders import built_kernel_images

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
CONTENT = Path(__file__).resolve().parent.parent / "content"


def most_at_once(events: list[dict[str, Any]]) -> int:
    """How many kernels had begun (a first event of their own) and not yet ended (their
    verdict) at once, in the order their events were sent."""
    begun: set[str] = set()
    running = most = 0
    for event in events:
        kernel = event.get("kernel")
        if not kernel or "kernels" in event:  # the compile, the whole's verdict
            continue
        if kernel not in begun:
            begun.add(kernel)
            running += 1
            most = max(most, running)
        if event["event"] == "verdict":
            running -= 1
    return most


def test_it_runs_as_many_kernels_at_once_as_the_machine_has_cores() -> None:
    names = list(built_kernel_images())
    lab = load_lab_by_slug(CONTENT, "xdp-drop-all")
    source = (CONTENT / "labs" / "xdp-drop-all" / "solution.c").read_text()
    events: list[dict[str, Any]] = []

    matrix = grade_on_kernels(lab, source, names, on_event=events.append)

    assert matrix.passed and list(matrix.verdicts) == names
    assert parallelism(len(names)) == min(len(names), os.cpu_count() or 1)
    assert most_at_once(events) == parallelism(len(names))
