"""Ring buffer records are read while the job runs and streamed as `record` events, in
the op that was running, decoded through the map's BTF value type when it has one."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct event { __u32 pid; __s32 delta; unsigned char flags : 3; char comm[16]; __u16 ports[2]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); __type(value, struct event); } typed SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } plain SEC(".maps");
SEC("xdp")
int send(struct xdp_md *ctx)
{
	struct event e = {.pid = 7, .delta = -3, .flags = 5, .comm = "bpflab", .ports = {80, 443}};
	__u32 raw = 0xdeadbeef;
	bpf_ringbuf_output(&typed, &e, sizeof(e), 0);
	bpf_ringbuf_output(&plain, &raw, sizeof(raw), 0);
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""

FRAME = "02000000000202000000000108060001080006040001020000000001c000020100000000000000c0000202"


def run_job(limits: RunLimits | None = None):  # type: ignore[no-untyped-def]
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    ops = [
        {"op": "load", "id": "load"},
        {"op": "test_run", "id": "first", "data": FRAME, "repeat": 1},
        {"op": "test_run", "id": "second", "data": FRAME, "repeat": 2},
    ]
    job = Job(object=compiled.object, ops=ops, limits=limits or RunLimits())
    result = LocalBackend().run(job)
    assert result.ok, result.error
    return result


def test_it_streams_records_before_the_result_of_the_op_that_made_them() -> None:
    result = run_job()

    kinds = [
        (e["event"], e.get("op") or e.get("id"))
        for e in result.events
        if e["event"] in ("record", "test_run")
    ]
    assert kinds == [
        ("record", "first"), ("record", "first"), ("test_run", "first"),
        ("record", "second"), ("record", "second"), ("record", "second"), ("record", "second"),
        ("test_run", "second"),
    ]  # fmt: skip


def test_it_decodes_a_typed_ring_through_btf_and_shows_the_other_as_hex() -> None:
    result = run_job()

    typed, plain = result.records("typed")[0], result.records("plain")[0]
    assert typed["fields"] == {
        "pid": 7,
        "delta": -3,
        "flags": 5,
        "comm": "bpflab",
        "ports": [80, 443],
    }
    assert typed["size"] == len(bytes.fromhex(typed["data"]))
    assert plain == {**plain, "fields": None, "size": 4, "data": "efbeadde"}
    load = result.by_id("load")
    rings = {(m["name"], m["value_size"]) for m in load["maps"] if m["type"] == "ringbuf"}  # type: ignore[index]
    assert rings == {("typed", 0), ("plain", 0)}


def test_it_stops_at_the_record_limit_and_says_so() -> None:
    result = run_job(RunLimits(max_records=3))

    assert len(result.records()) == 3
    assert result.of_kind("truncated") == [
        {**result.of_kind("truncated")[0], "what": "records", "limit": 3}
    ]
