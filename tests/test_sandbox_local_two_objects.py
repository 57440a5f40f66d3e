"""One job carries two objects: the main program and a named one (a lab's reference),
each with its own maps, test runs and trace lines, in the same sandbox."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job
from sandbox.packets_hex import udp_frame
from sandbox.wire import decode_job, encode_job

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

COUNTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} pkt_count SEC(".maps");
SEC("xdp")
int count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&pkt_count, &key);
    if (value)
        __sync_fetch_and_add(value, %(step)s);
    bpf_printk("%(word)s");
    return %(action)s;
}
char LICENSE[] SEC("license") = "GPL";
"""


def compiled(step: int, word: str, action: str) -> bytes:
    result = compile_source(COUNTER % {"step": step, "word": word, "action": action})
    assert result.ok and result.object, result.output
    return result.object


def two_object_job(reference: bytes) -> Job:
    frame = udp_frame(dport=53).hex()
    ops = [{"op": "load", "id": "load"}, {"op": "load", "id": "ref:load", "object": "ref"}]
    for i in range(3):
        ops.append({"op": "test_run", "id": f"mine:{i}", "data": frame, "repeat": 1})
        ops.append({"op": "test_run", "id": f"ref:{i}", "data": frame, "object": "ref"})
    ops.append({"op": "map_dump", "id": "dump", "map": "pkt_count"})
    ops.append({"op": "map_dump", "id": "ref:dump", "map": "pkt_count", "object": "ref"})
    main = compiled(1, "mine", "XDP_PASS")
    return Job(object=main, ops=ops, objects={"ref": reference})


def counter(event: dict) -> int:
    return int.from_bytes(bytes.fromhex(event["entries"][0]["value"]), "little")


def test_it_runs_both_objects_with_their_own_maps_and_trace_lines() -> None:
    result = LocalBackend().run(two_object_job(compiled(5, "theirs", "XDP_DROP")))
    assert result.ok, result.error
    assert result.by_id("ref:load")["ok"] and result.by_id("ref:load")["object"] == "ref"
    assert [result.by_id(f"mine:{i}")["retval"] for i in range(3)] == [2, 2, 2]
    assert [result.by_id(f"ref:{i}")["retval"] for i in range(3)] == [1, 1, 1]
    assert counter(result.by_id("dump")) == 3
    assert counter(result.by_id("ref:dump")) == 15
    assert [e["message"] for e in result.trace_lines("mine:1")] == ["mine"]
    assert [e["message"] for e in result.trace_lines("ref:1")] == ["theirs"]


def test_it_goes_on_when_the_named_object_does_not_load() -> None:
    result = LocalBackend().run(two_object_job(b"\x7fELF not really an object"))
    assert result.ok, result.error
    assert result.by_id("ref:load")["ok"] is False
    assert result.by_id("mine:2")["retval"] == 2
    assert "no loaded object named 'ref'" in result.by_id("ref:0")["error"]
    assert counter(result.by_id("dump")) == 3


def test_it_refuses_an_object_used_before_its_load() -> None:
    job = two_object_job(compiled(1, "x", "XDP_PASS"))
    job.ops[1], job.ops[3] = job.ops[3], job.ops[1]
    with pytest.raises(ValueError, match="used before its load"):
        job.validate()
    job = two_object_job(compiled(1, "x", "XDP_PASS"))
    job.ops[1]["object"] = "nobody"
    with pytest.raises(ValueError, match="no object named 'nobody'"):
        job.validate()


def test_it_carries_named_objects_over_the_wire_and_in_json() -> None:
    job = two_object_job(bytes(range(256)) * 20)
    assert decode_job(encode_job(job)).objects == job.objects
    assert Job.from_json(job.to_json()).objects == job.objects
