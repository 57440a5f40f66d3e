"""The static agent takes its job over a tty (as over a VM's serial port): it says when it
is ready, does not echo the job back, takes long lines, and skips console noise."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time

import pytest

from sandbox import build
from sandbox.compile import compile_source
from sandbox.job import Job
from sandbox.packets_hex import udp_frame
from sandbox.wire import encode_job

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int size(struct xdp_md *ctx) { return ctx->data_end - ctx->data > 1000 ? XDP_DROP : XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""


def read_until(fd: int, marker: bytes, timeout_s: float) -> bytes:
    out, deadline = b"", time.monotonic() + timeout_s
    while marker not in out and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def test_it_runs_a_job_sent_over_a_tty() -> None:
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    big = udp_frame(53) + b"\0" * 2500  # a 5,000-digit hex line: more than a canonical tty takes
    job = Job(
        object=compiled.object,
        ops=[{"op": "load", "id": "load"}, {"op": "test_run", "id": "big", "data": big.hex()}],
    )
    master, slave = pty.openpty()
    agent = subprocess.Popen(
        [str(build.agent_binary(static=True)), "--netns", "--ready-line"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.DEVNULL,
    )
    os.close(slave)
    try:
        assert b"bpflab-agent: ready" in read_until(master, b"ready\n", 10)
        os.write(master, b"[    1.234] console noise\r\n")
        wire = encode_job(job)
        for i in range(0, len(wire), 4096):
            os.write(master, wire[i : i + 4096])
        out = read_until(master, b'"event":"done"', 20)
    finally:
        agent.kill()
        agent.wait()
        os.close(master)

    assert b"bpflab-job" not in out, "the job is not echoed back"
    events = [json.loads(line) for line in out.splitlines() if line.startswith(b"{")]
    result = {e.get("id"): e for e in events}
    assert result["big"]["ok"] and result["big"]["retval"] == 1
    assert bytes.fromhex(result["big"]["data_out"]) == big
    assert events[-1] == {"event": "done", "ok": True, "trace_fenced": True}
