"""A map that asks libbpf to pin it by name is created fresh for every run and never pinned:
nothing of one run (its counts) reaches the next, nor another learner's."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

MAP_NAME = "bpflab_pinned_counter"
SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} bpflab_pinned_counter SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
    __u32 zero = 0;
    __u64 *n = bpf_map_lookup_elem(&bpflab_pinned_counter, &zero);
    if (n) __sync_fetch_and_add(n, 1);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def count_after_three_runs() -> int:
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    job = Job(
        object=compiled.object,
        ops=[
            {"op": "load", "id": "load"},
            {"op": "test_run", "id": "run", "data": udp_frame(53).hex(), "repeat": 3},
            {"op": "map_dump", "id": "dump", "map": MAP_NAME},
        ],
        limits=RunLimits(),
    )
    result = LocalBackend().run(job)
    assert result.ok, result.error
    dump = result.by_id("dump")
    assert dump is not None
    [entry] = dump["entries"]
    return struct.unpack("<Q", bytes.fromhex(entry["value"]))[0]


def test_it_starts_every_run_with_a_fresh_map_even_when_it_asks_to_be_pinned() -> None:
    assert count_after_three_runs() == 3
    assert count_after_three_runs() == 3  # not 6: the first run's map was not kept
    assert not (Path("/sys/fs/bpf") / MAP_NAME).exists()
