"""Seams with one source each: the trigger allow-list is written once (sandbox/job.py) and
everything else (the lab spec's validation, the agent's C, the docker image's and the VM
image's busybox applets) is made from it; where a VM is booted (sandbox/vmboot.py) imports
no backend, so the image builder and the microvm backend share it without an import cycle."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from labs import spec
from sandbox import build, docker_image, image, job

ROOT = Path(__file__).resolve().parent.parent


def test_it_makes_every_trigger_list_from_the_one_in_the_job_module() -> None:
    assert spec.TRIGGER_ALLOWED is job.TRIGGER_ALLOW_LIST
    assert spec.TRIGGER_BUILTINS is job.TRIGGER_BUILTINS
    assert set(job.TRIGGER_APPLETS) <= set(image.APPLETS)
    assert docker_image.BUSYBOX_APPLETS == job.TRIGGER_APPLETS
    header = build.triggers_header()
    assert all(f'"{path}"' in header for path in job.TRIGGER_ALLOW_LIST)


def test_it_keeps_no_copy_of_the_trigger_list_in_the_agent() -> None:
    agent = (ROOT / "sandbox" / "agent" / "agent.c").read_text()

    assert '#include "bpflab_triggers.h"' in agent
    assert not any(f'"{path}"' in agent for path in job.TRIGGER_ALLOW_LIST)


def test_it_boots_vms_from_a_module_that_imports_no_backend() -> None:
    code = (
        "import sys, sandbox.image, sandbox.vmboot; "
        "print(sorted(m for m in sys.modules if m.startswith('sandbox.backends')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"
