"""A microVM run whose host falls behind reading its events still gets all of them.

The host stops reading whenever its event handler is slow (a Celery worker stores each
event in the database and sends it to the run's page; a loaded machine deschedules it).
The guest keeps writing meanwhile: what does not fit the socket waits in qemu's virtio
queue, and the agent can finish and exit before the host has read it. The VM must then
stay up until the host has every event, the last one included.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

import pytest

from sandbox import image as vm_image
from sandbox.backends import microvm
from sandbox.backends.microvm import MicroVMBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]

PASS = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""
# Each test run's event carries its 256-byte output frame as hex: together several times
# what the host's socket holds while it does not read (about 200 KB).
RUNS = 600
FRAME = "ab" * 256
# How long the host does not read: far longer than the guest needs to run every op.
PAUSE_S = 4.0


@pytest.fixture(scope="module")
def image() -> vm_image.Image:
    return vm_image.build_image(log=lambda message: None)


def many_events_job() -> Job:
    compiled = compile_source(PASS)
    assert compiled.ok and compiled.object
    ops: list[dict[str, Any]] = [{"op": "load", "id": "load"}]
    ops += [{"op": "test_run", "id": f"r{i}", "data": FRAME} for i in range(RUNS)]
    return Job(object=compiled.object, ops=ops, limits=RunLimits(wall_s=60))


@pytest.mark.parametrize("pool_size", [0, 1], ids=["restored per run", "from the pool"])
def test_it_delivers_every_event_when_the_host_reads_late(
    image: vm_image.Image, pool_size: int
) -> None:
    backend = MicroVMBackend(image=image, pool_size=pool_size)
    paused: list[float] = []

    def slow_reader(event: dict[str, Any]) -> None:
        if event.get("id") == "r0" and not paused:
            paused.append(time.monotonic())
            time.sleep(PAUSE_S)  # the guest runs on, writes everything and finishes

    try:
        result = backend.run(many_events_job(), on_event=slow_reader)
    finally:
        microvm.close_pool()  # the VM the pool restored for a next run

    assert paused, "the job never reached its first test run"
    assert result.ok, result.error
    ran = [event["id"] for event in result.events if event.get("event") == "test_run"]
    assert ran == [f"r{i}" for i in range(RUNS)]
    assert result.events[-1]["event"] == "done"
