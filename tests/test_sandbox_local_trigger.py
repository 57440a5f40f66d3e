"""Trigger ops: exit codes, their own timeout, and the agent's allow list."""

from __future__ import annotations

import subprocess
import time

import pytest

from sandbox import build
from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job
from sandbox.wire import encode_job

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""


def job(*ops: dict) -> Job:
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    return Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *ops])


def test_it_reports_exit_codes_and_stops_a_trigger_at_its_timeout() -> None:
    started = time.monotonic()
    result = LocalBackend().run(
        job(
            {"op": "trigger", "id": "fails", "argv": ["/bin/cat", "/nonexistent/file"]},
            {"op": "trigger", "id": "slow", "argv": ["/bin/sleep", "10"], "timeout_ms": 300},
            {"op": "trigger", "id": "after", "argv": ["/bin/echo", "still running"]},
        )
    )

    assert result.ok, result.error
    assert time.monotonic() - started < 5
    assert result.by_id("fails") == {**result.by_id("fails"), "ok": True, "exit_code": 1}  # type: ignore[arg-type]
    slow = result.by_id("slow")
    assert (
        slow
        and slow["ok"] is False
        and slow["error"] == "timed out after 300 ms"
        and slow["exit_code"] is None
    )
    assert result.by_id("after")["exit_code"] == 0  # type: ignore[index]


def test_it_refuses_a_command_off_the_allow_list_even_if_the_host_sent_it() -> None:
    wire = encode_job(job({"op": "trigger", "id": "t", "argv": ["/bin/true"]}))
    wire = wire.replace(b"arg=/bin/true", b"arg=/bin/sh arg=-c arg=id")

    out = subprocess.run(
        [str(build.agent_binary()), "--netns"],
        input=wire,
        capture_output=True,
        timeout=20,
        check=False,
    ).stdout.decode()

    assert '"id":"t","ok":false,"error":"command is not on the trigger allow list"' in out


def test_it_pings_the_loopback_of_its_own_namespace() -> None:
    """The fresh namespace's loopback comes up with the first trigger (not before: a run of
    test-runs never needs it). /bin/ping is on the allow list and `make install` installs
    it (iputils-ping): a host without it fails here rather than skipping."""
    argv = ["/bin/ping", "-c", "1", "-W", "2", "127.0.0.1"]

    result = LocalBackend().run(job({"op": "trigger", "id": "ping", "argv": argv}))

    assert result.ok, result.error
    assert result.by_id("ping")["exit_code"] == 0, result.by_id("ping")  # type: ignore[index]
