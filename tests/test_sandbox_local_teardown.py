"""The local backend leaves nothing behind: not on success, not on a rejection, not when
the wall limit kills a hanging job, not when the agent dies mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
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
# Keeps the agent alive a moment after its first events, so the spy can see its namespace.
HOLD = {"op": "trace", "id": "hold", "wait_ms": 300}
# Other parts (the compile jail, the benchmark, the image builder) make and remove their
# own temp folders and pins, possibly in another test process at the same moment; these
# are the names the local backend and its agent would use.
OURS = ("bpflab-local", "bpflab-agent", "bpflab-job")


class Spy:
    """Learns the agent's pid and trace instance as it starts (the real Popen, watched),
    its network namespace and the pids it printed while the run is live."""

    def __init__(self) -> None:
        self.kill_agent = False
        self.agent_pid: int | None = None
        self.instance: Path | None = None
        self.netns: str | None = None
        self.pids: set[int] = set()
        self.ended = 0.0  # clock ticks since boot when run() returned

    def started(self, proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
        argv = [str(arg) for arg in proc.args]  # type: ignore[union-attr]
        if "--trace-instance" in argv:
            self.agent_pid = proc.pid
            self.instance = TRACEFS / "instances" / argv[argv.index("--trace-instance") + 1]

    def __call__(self, event: dict) -> None:
        if self.netns is None and self.agent_pid:
            try:
                self.netns = os.readlink(f"/proc/{self.agent_pid}/ns/net")
            except OSError:
                self.netns = "gone"
        if event["event"] == "trace" and event["message"].startswith(("exec pid", "xdp pid")):
            self.pids.add(int(event["message"].rsplit(" ", 1)[1]))
        if self.kill_agent and event["event"] == "test_run" and self.agent_pid:
            os.kill(self.agent_pid, signal.SIGKILL)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    watcher = Spy()

    class WatchedPopen(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            watcher.started(self)

    monkeypatch.setattr(subprocess, "Popen", WatchedPopen)
    return watcher


def snapshot() -> dict[str, set[str]]:
    return {
        "bpffs": {
            str(p) for p in Path("/sys/fs/bpf").rglob("*") if not p.name.startswith("bpflab-bench-")
        },
        "tmp": {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(OURS)},
    }


def ticks_since_boot() -> float:
    return float(Path("/proc/uptime").read_text().split()[0]) * os.sysconf("SC_CLK_TCK")


def processes_in(netns: str, started_before: float) -> list[int]:
    """Processes in netns that started before a moment (in clock ticks since boot).

    The kernel reuses namespace inode numbers: a namespace made by someone else after the
    run may carry the same number, but not processes older than the end of the run."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if os.readlink(entry / "ns" / "net") != netns:
                continue
            start = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[19])
        except (OSError, ValueError, IndexError):
            continue
        if start < started_before:
            found.append(int(entry.name))
    return found


def assert_nothing_left(spy: Spy, before: dict[str, set[str]], netns_seen: bool = True) -> None:
    assert spy.agent_pid and spy.instance, "the spy saw the agent start"
    assert not Path(f"/proc/{spy.agent_pid}").exists(), "the agent is gone"
    for pid in spy.pids:
        assert not Path(f"/proc/{pid}").exists(), f"pid {pid} of the run is gone"
    assert not spy.instance.exists(), "the trace instance is removed"
    if netns_seen:
        assert spy.netns and spy.netns != "gone", "the spy saw the agent's network namespace"
        assert spy.netns != os.readlink("/proc/self/ns/net"), "the agent had its own"
        assert processes_in(spy.netns, spy.ended) == [], "the network namespace is gone"
    assert snapshot() == before, "no pinned objects, no temp folders"


def run(source: str, ops: list[dict], spy: Spy, limits: RunLimits | None = None) -> Result:
    compiled = compile_source(source)
    assert compiled.ok and compiled.object, compiled.output
    job = Job(
        object=compiled.object,
        ops=[{"op": "load", "id": "load"}, *ops],
        limits=limits or RunLimits(),
    )
    backend = LocalBackend()
    result = backend.run(job, on_event=spy)
    # run() returns at done; the agent's teardown goes on in the background
    assert backend.wait_idle(10), "the agent finished its teardown"
    spy.ended = ticks_since_boot()
    return result


def test_it_leaves_nothing_behind_after_a_run(spy: Spy) -> None:
    before = snapshot()
    result = run(
        SOURCE,
        [
            HOLD,
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


def test_it_leaves_nothing_behind_after_a_rejection(spy: Spy) -> None:
    before = snapshot()
    result = run(BAD, [{"op": "test_run", "id": "never", "data": udp_frame(1).hex()}], spy)
    assert result.by_id("load")["ok"] is False  # type: ignore[index]
    # a rejected load ends the run at once: too quick to catch its namespace alive
    assert_nothing_left(spy, before, netns_seen=False)


def test_it_kills_a_hanging_job_at_the_wall_limit(spy: Spy) -> None:
    before = snapshot()
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
    # the job's own op ran too long: a time limit naming it, not a sandbox error
    assert not result.ok and result.error == "time limit: trigger 'hang' ran longer than 2 s"
    assert result.time_limit == {"op": "trigger", "id": "hang", "limit_s": 2, "what": "wall"}
    assert [e["event"] for e in result.events[-2:]] == ["time_limit", "done"]
    assert result.events[-1]["ok"] is False
    assert result.by_id("hang") is None
    assert spy.pids, "the sleeping trigger printed its pid"
    assert_nothing_left(spy, before)


def test_it_reports_and_cleans_up_an_agent_that_dies_mid_run(spy: Spy) -> None:
    before = snapshot()
    spy.kill_agent = True
    result = run(
        SOURCE,
        [
            HOLD,
            *({"op": "test_run", "id": f"run{i}", "data": udp_frame(1).hex()} for i in range(50)),
            # the agent writes done before its teardown: keep it busy until the kill
            {**HOLD, "id": "hold-after"},
        ],
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


def test_it_reaps_instances_of_dead_workers_but_not_live_ones() -> None:
    instances = TRACEFS / "instances"
    dead, live = (
        instances / "bpflab-local-999999999-deadbeef",
        instances / f"bpflab-local-{os.getpid()}-live0000",
    )
    dead.mkdir()
    live.mkdir()
    try:
        run_it = LocalBackend().run(Job(object=b"\x7fELF", ops=[{"op": "load", "id": "load"}]))
        assert run_it.by_id("load")["ok"] is False  # type: ignore[index]
        assert not dead.exists() and live.exists()
    finally:
        for path in (dead, live):
            if path.exists():
                path.rmdir()
