"""The agent's `live` op on the host kernel: traffic at a chosen rate into an attached XDP
program, or a trigger in a loop under a tracepoint, with a map snapshot every interval, a
clean end at the time limit, and an early end on the host's stop line."""

from __future__ import annotations

import struct
import threading
import time

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunControl, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

COUNTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
         __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
SEC("xdp")
int count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *n = bpf_map_lookup_elem(&seen, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""

EXEC_PRINTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx) { bpf_printk("exec in the loop"); return 0; }
char LICENSE[] SEC("license") = "GPL";
"""


def live_job(source: str, live: dict, wall_s: float = 20) -> Job:
    compiled = compile_source(source, disassemble=False)
    assert compiled.ok and compiled.object, compiled.output
    ops = [
        {"op": "load", "id": "load"},
        {"op": "attach", "id": "attach"},
        {"op": "live", "id": "live", "interval_ms": 500, **live},
    ]
    return Job(object=compiled.object, ops=ops, limits=RunLimits(wall_s=wall_s))


def counted(snapshot: dict) -> int:
    (seen,) = snapshot["maps"]
    return struct.unpack("<Q", bytes.fromhex(seen["entries"][0]["value"]))[0]


def test_it_sends_traffic_at_the_rate_asked_and_snapshots_the_maps() -> None:
    frames = [udp_frame(9999).hex(), udp_frame(53).hex()]
    live = {"duration_ms": 2000, "packets": frames, "rate": 100, "maps": ["seen"]}
    result = LocalBackend().run(live_job(COUNTER, live))

    assert result.ok, result.error
    snapshots = result.of_kind("snapshot")
    assert [s["tick"] for s in snapshots] == list(range(1, len(snapshots) + 1))
    assert 4 <= len(snapshots) <= 5  # every 500 ms for 2 s, then one at the end
    final = result.by_id("live")
    assert final and final["ok"] and final["stopped"] == "limit"
    assert 190 <= final["sent"] <= 201 and 1900 <= final["elapsed_ms"] < 2600
    assert counted(snapshots[-1]) == final["sent"], "every frame sent reached the program"
    assert counted(snapshots[0]) < counted(snapshots[-1])


def test_it_ends_early_and_cleanly_on_the_hosts_stop_line() -> None:
    control = RunControl()
    live = {"duration_ms": 15_000, "packets": [udp_frame(1).hex()], "rate": 50, "maps": ["seen"]}
    # the first snapshot asks to stop, as the worker does when the stop button was pressed
    events: list[dict] = []

    def on_event(event: dict) -> None:
        events.append(event)
        if event["event"] == "snapshot":
            control.stop()

    started = time.monotonic()
    result = LocalBackend().run(live_job(COUNTER, live), on_event=on_event, control=control)

    assert result.ok, result.error
    assert time.monotonic() - started < 5
    final = result.by_id("live")
    assert final and final["ok"] and final["stopped"] == "stop"
    assert result.of_kind("done")[0]["ok"] is True


def test_it_keeps_stdin_open_for_a_stop_asked_from_another_thread() -> None:
    control = RunControl()
    live = {"duration_ms": 15_000, "packets": [udp_frame(1).hex()], "rate": 10, "maps": []}
    timer = threading.Timer(1.0, control.stop)
    timer.start()
    try:
        result = LocalBackend().run(live_job(COUNTER, live), control=control)
    finally:
        timer.cancel()
    final = result.by_id("live")
    assert final and final["stopped"] == "stop" and final["elapsed_ms"] < 5000


def test_it_runs_a_trigger_in_a_loop_under_a_tracepoint() -> None:
    live = {"duration_ms": 1500, "argv": ["/bin/true"], "every_ms": 200, "maps": []}
    result = LocalBackend().run(live_job(EXEC_PRINTER, live))

    assert result.ok, result.error
    final = result.by_id("live")
    assert final and final["ok"] and 5 <= final["triggers"] <= 9
    runs = [e for e in result.events if e["event"] == "trigger" and e["id"] == "live#trigger"]
    assert len(runs) == final["triggers"] and all(r["exit_code"] == 0 for r in runs)
    read = result.trace_lines("live") + result.trace_lines("live#trigger")
    lines = [t for t in read if t["message"] == "exec in the loop"]
    assert len(lines) >= final["triggers"]


def test_it_refuses_a_live_op_that_would_outlast_the_wall_limit() -> None:
    with pytest.raises(ValueError, match="before the wall limit"):
        live_job(
            COUNTER, {"duration_ms": 9000, "packets": [udp_frame(1).hex()], "rate": 1}, 5
        ).validate()
