"""The local backend leaves nothing behind: not on success, not on a rejection, not when
the wall limit kills a hanging job, not when the agent dies mid-run."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from pathlib import Path

import pytest

from sandbox.backends.local import TRACEFS, LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# Prints the pid of every exec (the trigger's child) and of every test run (the agent).
SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx) { bpf_printk("exec pid %d", (int)(bpf_get_current_pid_tgid() >> 32)); return 0; }

SEC("xdp")
int on_packet(struct xdp_md *ctx) { bpf_printk("xdp pid %d", (int)(bpf_get_current_pid_tgid() >> 32)); return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
"""
BAD = SOURCE.replace("return XDP_PASS;", "return *(int *)(long)ctx->data;")


class Spy:
    """Notes, while the run is live, the agent's pid, network namespace and trace instance."""

    def __init__(self, kill_agent: bool = False) -> None:
        self.kill_agent = kill_agent
        self.agent_pid: int | None = None
        self.netns: str | None = None
        self.instance: Path | None = None
        self.pids: set[int] = set()

    def __call__(self, event: dict) -> None:
        if event["event"] == "stage" and self.agent_pid is None:
            self.agent_pid = agent_pid()
            self.netns = os.readlink(f"/proc/{self.agent_pid}/ns/net")
            argv = Path(f"/proc/{self.agent_pid}/cmdline").read_bytes().split(b"\0")
            self.instance = (
                TRACEFS / "instances" / argv[argv.index(b"--trace-instance") + 1].decode()
            )
            assert self.instance.is_dir()
        if event["event"] == "trace" and event["message"].startswith(("exec pid", "xdp pid")):
            self.pids.add(int(event["message"].rsplit(" ", 1)[1]))
        if self.kill_agent and event["event"] == "test_run" and self.agent_pid:
            os.kill(self.agent_pid, signal.SIGKILL)


def agent_pid() -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            if (
                b"bpflab-agent" in cmdline
                and b"--trace-instance" in cmdline
                and parent == os.getpid()
            ):
                return int(entry.name)
    raise AssertionError("no agent process of ours is running")


# Made and removed by other parts (the compile jail, the benchmark's baseline), possibly
# by another test process at the same moment: not the local backend's to leave behind.
OTHERS = ("bpflab-compile-", "bpflab-bench-")


def snapshot() -> dict[str, set[str]]:
    return {
        "bpffs": {
            str(p)
            for p in Path("/sys/fs/bpf").rglob("*")
            if not any(x.startswith(OTHERS) for x in p.parts)
        },
        "tmp": {
            p.name
            for p in Path(tempfile.gettempdir()).iterdir()
            if "bpflab" in p.name and not p.name.startswith(OTHERS)
        },
    }


def net_namespaces_in_use() -> set[str]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            found.add(os.readlink(entry / "ns" / "net"))
        except OSError:
            continue
    return found


def assert_nothing_left(spy: Spy, before: dict[str, set[str]]) -> None:
    assert spy.agent_pid and spy.instance and spy.netns, "the spy saw the run"
    assert not Path(f"/proc/{spy.agent_pid}").exists(), "the agent is gone"
    for pid in spy.pids:
        assert not Path(f"/proc/{pid}").exists(), f"pid {pid} of the run is gone"
    assert not spy.instance.exists(), "the trace instance is removed"
    assert spy.netns not in net_namespaces_in_use(), "the network namespace is gone"
    assert snapshot() == before, "no pinned objects, no temp folders"


def run(source: str, ops: list[dict], spy: Spy, limits: RunLimits | None = None) -> Result:
    compiled = compile_source(source)
    assert compiled.ok and compiled.object, compiled.output
    job = Job(
        object=compiled.object,
        ops=[{"op": "load", "id": "load"}, *ops],
        limits=limits or RunLimits(),
    )
    return LocalBackend().run(job, on_event=spy)


def test_it_leaves_nothing_behind_after_a_run() -> None:
    before, spy = snapshot(), Spy()
    result = run(
        SOURCE,
        [
            {"op": "attach", "id": "exec", "program": "on_exec"},
            {"op": "attach", "id": "xdp", "program": "on_packet"},
            {"op": "traffic", "id": "send", "packets": [udp_frame(53).hex()]},
            {"op": "trigger", "id": "true", "argv": ["/bin/true"]},
        ],
        spy,
    )
    assert result.ok, result.error
    assert spy.pids, "the run printed pids"
    assert_nothing_left(spy, before)


def test_it_leaves_nothing_behind_after_a_rejection() -> None:
    before, spy = snapshot(), Spy()
    result = run(BAD, [{"op": "test_run", "id": "never", "data": udp_frame(1).hex()}], spy)
    assert result.by_id("load")["ok"] is False  # type: ignore[index]
    assert_nothing_left(spy, before)


def test_it_kills_a_hanging_job_at_the_wall_limit() -> None:
    before, spy = snapshot(), Spy()
    started = time.monotonic()
    result = run(
        SOURCE,
        [
            {"op": "attach", "id": "exec", "program": "on_exec"},
            {"op": "trigger", "id": "hang", "argv": ["/bin/sleep", "30"], "timeout_ms": 30_000},
        ],
        spy,
        RunLimits(wall_s=2),
    )
    elapsed = time.monotonic() - started

    assert 1.9 <= elapsed < 4
    assert not result.ok and "wall limit of 2 s" in (result.error or "")
    assert [e["event"] for e in result.events[-2:]] == ["error", "done"]
    assert result.events[-1]["ok"] is False
    assert result.by_id("hang") is None
    assert_nothing_left(spy, before)


def test_it_reports_and_cleans_up_an_agent_that_dies_mid_run() -> None:
    before, spy = snapshot(), Spy(kill_agent=True)
    result = run(
        SOURCE,
        [{"op": "test_run", "id": f"run{i}", "data": udp_frame(1).hex()} for i in range(50)],
        spy,
    )

    assert not result.ok and "without finishing" in (result.error or "")
    assert [e["event"] for e in result.events[-2:]] == ["error", "done"]
    assert_nothing_left(spy, before)


def test_it_turns_a_bad_job_into_an_error_and_done() -> None:
    seen: list[dict] = []
    job = Job(
        object=b"\x7fELF",
        ops=[{"op": "load", "id": "load"}, {"op": "trigger", "id": "sh", "argv": ["/bin/sh"]}],
    )

    result = LocalBackend().run(job, on_event=seen.append)

    assert not result.ok and "not on the allow list" in (result.error or "")
    assert [e["event"] for e in seen] == ["error", "done"] and seen == result.events
