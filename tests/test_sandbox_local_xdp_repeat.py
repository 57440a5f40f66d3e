"""An XDP test-run with repeat > 1 means what the kernel's repeat means, however the agent
keeps the program in the XDP dispatcher meanwhile (sandbox/agent/agent.c, hold_xdp): each
repeat sees the frame as the one before left it, every repeat counts, and nothing else
ever reaches the program; for every program of a job, beyond the devices it holds too."""

from __future__ import annotations

import subprocess

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# Adds `step` to the frame's first byte and counts the runs: a repeat sees the byte the
# repeat before it wrote, as the kernel runs repeats on one buffer.
STEPPER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} runs SEC(".maps");
SEC("xdp")
int step(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&runs, &key);

    if (count)
        __sync_fetch_and_add(count, 1);
    if ((void *)(data + 1) > (void *)(long)ctx->data_end)
        return XDP_ABORTED;
    data[0] += %(step)d;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""
XDP_PASS = 2


def compiled(step: int) -> bytes:
    result = compile_source(STEPPER % {"step": step})
    assert result.ok and result.object, result.output
    return result.object


def counted(event: dict) -> int:
    return int.from_bytes(bytes.fromhex(event["entries"][0]["value"]), "little")


def test_it_runs_every_repeat_on_the_frame_the_last_one_left() -> None:
    frame = udp_frame(dport=53)
    ops = [{"op": "load", "id": "load"}]
    for repeat in (3, 1, 5, 2):
        ops.append({"op": "test_run", "id": f"run:{repeat}", "data": frame.hex(), "repeat": repeat})
    ops.append({"op": "map_dump", "id": "dump", "map": "runs"})

    result = LocalBackend().run(Job(object=compiled(1), ops=ops))

    assert result.ok, result.error
    for repeat in (3, 1, 5, 2):
        event = result.by_id(f"run:{repeat}")
        assert event and event["ok"] and event["retval"] == XDP_PASS, event
        out = bytes.fromhex(event["data_out"])
        assert out[0] == (frame[0] + repeat) % 256 and out[1:] == frame[1:]
    assert counted(result.by_id("dump")) == 3 + 1 + 5 + 2


def test_it_runs_more_programs_than_it_holds_alike() -> None:
    """Three objects repeat-run in turn: the agent holds two programs at most, the third
    runs as the kernel runs any other; each counts its own runs and no one else's."""
    names = {"": 1, "b": 2, "c": 3}
    objects = {name: compiled(step) for name, step in names.items() if name}
    ops = [{"op": "load", "id": "load"}]
    ops += [{"op": "load", "id": f"{name}:load", "object": name} for name in objects]
    frame = udp_frame(dport=53).hex()
    for round_ in range(2):
        for name in names:
            run = {"op": "test_run", "id": f"{name}:run:{round_}", "data": frame, "repeat": 4}
            ops.append({**run, "object": name} if name else run)
    for name in names:
        dump = {"op": "map_dump", "id": f"{name}:dump", "map": "runs"}
        ops.append({**dump, "object": name} if name else dump)

    result = LocalBackend().run(Job(object=compiled(1), ops=ops, objects=objects))

    assert result.ok, result.error
    for name, step in names.items():
        out = bytes.fromhex(result.by_id(f"{name}:run:1")["data_out"])
        assert out[0] == (bytes.fromhex(frame)[0] + 4 * step) % 256
        assert counted(result.by_id(f"{name}:dump")) == 2 * 4


def test_it_leaves_no_device_on_the_host() -> None:
    ops = [{"op": "load", "id": "load"}]
    ops.append({"op": "test_run", "id": "run", "data": udp_frame(53).hex(), "repeat": 3})
    backend = LocalBackend()

    result = backend.run(Job(object=compiled(1), ops=ops))

    assert result.ok, result.error
    assert backend.wait_idle()
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    assert "bpflh" not in links
