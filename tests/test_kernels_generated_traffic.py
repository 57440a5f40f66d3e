"""On every kernel (`grade --all-kernels`), the same generated frames: one seed for the
matrix, each kernel's job running them through the program and the reference."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from sandbox import image as vm_image
from tests.builders import built_kernel_images

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
SHORT_ONLY = Path(__file__).parent / "solutions" / "xdp-drop-all" / "bad_drops_short_only.c"


@pytest.fixture(scope="module", autouse=True)
def images() -> None:
    built_kernel_images()


def test_it_runs_the_same_generated_frames_on_every_kernel() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "grade",
            "xdp-drop-all",
            str(SHORT_ONLY),
            "--all-kernels",
            "--json",
            "--seed",
            "9",
            stdout=out,
        )

    kernels = json.loads(out.getvalue())["kernels"]
    differences = [verdict["differential"]["difference"] for verdict in kernels.values()]
    assert len(kernels) >= 2
    assert all(verdict["seed"] == 9 for verdict in kernels.values())
    assert all(d == differences[0] for d in differences) and differences[0]["field"] == "action"
