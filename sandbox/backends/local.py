"""The local backend: the agent on the host kernel, in a throwaway network namespace.

For development and CI speed, not for untrusted multi-user traffic: the learner's program
is loaded into the host kernel. Isolation between runs: the agent unshares a fresh network
namespace (its veth pair and any XDP/tc attachment vanish with it), reads trace lines from
its own tracefs instance filtered to its own processes (a common_pid event filter; no
instance at all when the object calls no printing helper and attaches no global hook),
and pins nothing. Runs hold the host-wide global-hook lock (base.TraceLock): exclusive
while a tracepoint program of theirs may be attached, shared while they read traces.

run() returns at the agent's `done`; the agent then detaches, closes and removes its
instance on its own while a reaper thread waits for it (wait_idle() waits for that), kills
its process group at the wall limit, removes the instance if the agent could not, and
only then releases an exclusive lock.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import time
import uuid
from pathlib import Path

from sandbox import build
from sandbox.backends.base import (
    Backend,
    EventCallback,
    EventStream,
    GlobalHooksBusy,
    TraceLock,
    attaches_global_hook,
    job_may_print,
    mount_if_missing,
    run_agent_process,
    trace_lock,
)
from sandbox.job import Job, Result, RunControl
from sandbox.wire import encode_job

TRACEFS = Path("/sys/kernel/tracing")
BPFFS = Path("/sys/fs/bpf")
# bpflab-local-<pid of the process that ran the backend>-<random>
INSTANCE_PREFIX = "bpflab-local-"


class LocalBackend(Backend):
    name = "local"

    def available(self) -> tuple[bool, str]:
        if os.geteuid() != 0:
            return False, "the local backend loads BPF programs into the host kernel: needs root"
        if not build.AGENT_BINARY.exists() and (
            shutil.which("gcc") is None or not Path("/usr/include/bpf/libbpf.h").exists()
        ):
            return False, "the agent is not built, and gcc or libbpf-dev is missing to build it"
        if not Path("/sys/kernel/btf/vmlinux").exists() and not Path("/proc/kallsyms").exists():
            return False, "no kernel information under /sys"
        return True, "host kernel, one network namespace and trace instance per run"

    def run(
        self, job: Job, on_event: EventCallback | None = None, control: RunControl | None = None
    ) -> Result:
        stream = EventStream(job.limits, on_event)
        try:
            data = encode_job(job)  # validates it: a bad job never reaches the agent
            agent = build.agent_binary()
        except (ValueError, build.BuildError, OSError) as exc:
            # still a run that ends in error + done, so every caller handles one shape
            stream.fail(f"the local sandbox cannot start: {exc}")
            return stream.result()
        mount_if_missing("tracefs", str(TRACEFS))
        mount_if_missing("bpf", str(BPFFS))
        reap_orphan_instances()
        # No printing helper call and no global hook: nothing can reach a trace, so no
        # instance to make (and to wait ~40 ms for the kernel to remove).
        reads_trace = job_may_print(job) or attaches_global_hook(job)
        lock = trace_lock(job, reads_trace)
        try:
            if lock is not None:
                lock.acquire()
        except GlobalHooksBusy as busy:
            stream.fail(str(busy))
            return stream.result()
        stream.started = time.monotonic()  # the wall limit counts the run, not the queue
        instance = f"{INSTANCE_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}" if reads_trace else None
        trace = ["--trace-instance", instance] if instance else ["--no-trace"]
        try:
            return run_agent_process(
                [str(agent), "--netns", *trace],
                job,
                stream=stream,
                stdin_data=data,
                teardown_in_background=True,
                on_exit=functools.partial(_after_exit, instance, lock),
                control=control,
            )
        finally:
            if lock is not None and not lock.exclusive:
                lock.release()  # its trace reading ended with done


def _after_exit(instance: str | None, lock: TraceLock | None) -> None:
    """Once the agent is gone (its hooks detached): what it may have left, then the lock."""
    try:
        if instance is not None:
            remove_trace_instance(instance)
    finally:
        if lock is not None:
            lock.release()


def remove_trace_instance(name: str) -> None:
    """Removes a trace instance the agent could not remove itself (it was killed)."""
    path = TRACEFS / "instances" / name
    for _ in range(50):
        if not path.exists():
            return
        with contextlib.suppress(OSError):
            (path / "events/bpf_trace/bpf_trace_printk/enable").write_text("0")
            path.rmdir()
            return
        time.sleep(0.02)


def reap_orphan_instances() -> None:
    """Removes instances left by a worker that was killed together with its agent.

    Only instances whose creating process is gone; the kernel refuses (EBUSY) to remove
    one that an agent still reads, so a live run is never touched.
    """
    with contextlib.suppress(OSError):
        for path in (TRACEFS / "instances").iterdir():
            owner = path.name.removeprefix(INSTANCE_PREFIX).split("-", 1)[0]
            if path.name.startswith(INSTANCE_PREFIX) and owner.isdigit() and not _alive(int(owner)):
                with contextlib.suppress(OSError):
                    path.rmdir()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
