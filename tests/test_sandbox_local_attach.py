"""Live hooks on the local backend: a tracepoint seen through a trigger, XDP and tc
programs seen through traffic on the sandbox veth."""

from __future__ import annotations

import struct

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result
from sandbox.packets_hex import arp_frame, udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

EXEC_TRACER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter { unsigned long long common; long id; unsigned long args[6]; };

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(struct sys_enter *ctx)
{
    char path[64];
    bpf_probe_read_user_str(path, sizeof(path), (const char *)ctx->args[0]);
    bpf_printk("exec %s", path);
    return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

COUNTERS = r"""
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2);
         __type(key, __u32); __type(value, __u64); } seen SEC(".maps");

static void bump(__u32 slot)
{
    __u64 *n = bpf_map_lookup_elem(&seen, &slot);
    if (n)
        __sync_fetch_and_add(n, 1);
}

SEC("xdp")
int at_xdp(struct xdp_md *ctx) { bump(0); return XDP_PASS; }

SEC("tc")
int at_tc(struct __sk_buff *skb) { bump(1); return TC_ACT_OK; }

char LICENSE[] SEC("license") = "GPL";
"""


def run(source: str, ops: list[dict]) -> Result:
    compiled = compile_source(source)
    assert compiled.ok and compiled.object, compiled.output
    result = LocalBackend().run(
        Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *ops])
    )
    assert result.ok, result.error
    return result


def test_it_sees_a_triggered_exec_through_a_tracepoint() -> None:
    result = run(
        EXEC_TRACER,
        [
            {"op": "attach", "id": "attach"},
            {"op": "trigger", "id": "true", "argv": ["/bin/true"]},
            {"op": "trigger", "id": "echo", "argv": ["/bin/echo", "hi"]},
        ],
    )

    attach = result.by_id("attach")
    assert attach and attach["ok"] and attach["target"] == "tracepoint/syscalls/sys_enter_execve"
    assert result.by_id("true") == {**result.by_id("true"), "ok": True, "exit_code": 0}  # type: ignore[arg-type]
    # `in`, not `==`: on a shared kernel, another run's execve program fires in our
    # trigger's process too (see docs/protocol.md, "Trace isolation")
    true_lines, echo_lines = result.trace_lines("true"), result.trace_lines("echo")
    assert "exec /bin/true" in [t["message"] for t in true_lines]
    assert "exec /bin/echo" in [t["message"] for t in echo_lines]
    assert "exec /bin/echo" not in [t["message"] for t in true_lines]
    # the line's pid is the trigger's child, never the agent (its comm may be either)
    assert {t["pid"] for t in true_lines}.isdisjoint(t["pid"] for t in echo_lines)


def test_it_delivers_traffic_to_attached_xdp_and_tc_programs() -> None:
    frames = [udp_frame(9999).hex(), udp_frame(53).hex(), arp_frame().hex()]
    result = run(
        COUNTERS,
        [
            {"op": "attach", "id": "xdp", "program": "at_xdp"},
            {"op": "attach", "id": "tc", "program": "at_tc"},
            {"op": "traffic", "id": "send", "packets": frames, "count": 2},
            {"op": "map_dump", "id": "seen", "map": "seen"},
        ],
    )

    assert result.by_id("xdp")["target"] == "xdp:bpfl0"  # type: ignore[index]
    assert result.by_id("tc")["target"] == "tc:bpfl0:ingress"  # type: ignore[index]
    assert result.by_id("send")["sent"] == 6  # type: ignore[index]
    counts = [
        struct.unpack("<Q", bytes.fromhex(e["value"]))[0] for e in result.by_id("seen")["entries"]
    ]  # type: ignore[index]
    assert counts == [6, 6]


def test_it_reports_an_attach_to_a_missing_tracepoint_as_that_ops_error() -> None:
    result = run(EXEC_TRACER, [{"op": "attach", "id": "bad", "target": "tracepoint/nosuch/event"}])

    bad = result.by_id("bad")
    assert bad and bad["ok"] is False and "No such file or directory" in bad["error"]
