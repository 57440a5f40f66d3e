"""Template snapshots: every run maps the saved guest RAM copy-on-write and reads only the
devices' state, so no run changes what the next one starts from."""

from __future__ import annotations

import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from sandbox import image as vm_image
from sandbox.backends.microvm import MicroVMBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]

# Counts every packet in a map: a VM that saw another run's packets would count them too.
COUNTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
         __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
SEC("xdp") int count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&seen, &key);
    if (value)
        *value += 1;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def image() -> vm_image.Image:
    return vm_image.build_image(log=lambda message: None)


def counting_job() -> Job:
    compiled = compile_source(COUNTER)
    assert compiled.ok and compiled.object
    ops = [{"op": "load", "id": "load"}]
    ops += [{"op": "test_run", "id": f"r{i}", "data": "00" * 60, "repeat": 3} for i in range(2)]
    ops.append({"op": "map_dump", "id": "dump", "map": "seen"})
    return Job(object=compiled.object, ops=ops, limits=RunLimits(wall_s=30))


def digest(path) -> str:  # type: ignore[no-untyped-def]
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_it_leaves_the_template_as_it_was_after_runs(image: vm_image.Image) -> None:
    assert image.template_ram is not None
    before = digest(image.template_ram)
    backend = MicroVMBackend(image=image)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: backend.run(counting_job()), range(4)))

    assert all(result.ok for result in results), [r.error for r in results]
    counts = {str(r.by_id("dump")["entries"]) for r in results}  # type: ignore[index]
    assert len(counts) == 1 and "6" in counts.pop()  # each VM counted its own 6 packets
    assert digest(image.template_ram) == before


def test_it_restores_a_vm_while_the_program_compiles(image: vm_image.Image) -> None:
    backend = MicroVMBackend(image=image)

    backend.prepare()
    job = counting_job()  # the compile, meanwhile
    result = backend.run(job)

    assert result.ok and result.events[0]["pooled"] is True
    assert result.by_id("dump") is not None


def test_it_kills_a_prepared_vm_no_run_took(image: vm_image.Image) -> None:
    backend = MicroVMBackend(image=image)

    backend.prepare()
    machine = backend._prepared[0].machine
    backend.discard()

    assert machine.proc is not None and machine.proc.poll() is not None
