"""What every backend shares: the Backend interface and the agent event plumbing.

Reusable pieces for the microvm and docker backends:

- `EventStream`: turns the agent's stdout lines into events. It adds "t", enforces the
  output cap on the host side too, skips lines that are not JSON objects (boot or console
  noise), and synthesises `error` + `done` when the agent dies or is killed early.
- `run_agent_process(argv, job, on_event, wall_s=...)`: starts a command that ends up
  running the agent (the agent itself, `docker run -i ...`, `qemu ... -serial stdio`),
  writes the job on its stdin in the wire format, streams its stdout through an
  EventStream, kills its whole process group at the wall limit, and returns the Result.
- `mount_if_missing(fstype, target)`: mounts tracefs/bpffs on a fresh machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.job import Job, Result, RunLimits
from sandbox.wire import encode_job

EventCallback = Callable[[dict[str, Any]], None]

# Host-side slack over max_output_bytes: the agent's own cap fires first, so the host
# cap only catches an agent that misbehaves.
HOST_OUTPUT_SLACK = 64 * 1024
# A single line longer than this is not an event we can use.
MAX_LINE_BYTES = 8 * 1024 * 1024
STDERR_TAIL_BYTES = 4096
# How long a process gets to clean up after SIGTERM at the wall limit before SIGKILL.
TERM_GRACE_S = 0.5


class Backend(ABC):
    """Runs a Job in some sandbox. Subclasses set `name`."""

    name = "base"

    @abstractmethod
    def run(self, job: Job, on_event: EventCallback | None = None) -> Result:
        """Runs the job, calling on_event(event) as each event arrives; always tears down."""

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """Whether this backend can run here, and a short reason either way."""


def _ignore(event: dict[str, Any]) -> None:
    return None


class EventStream:
    """Collects agent events for one run, passing each one on as it arrives.

    feed(line) for every line the agent writes; fail(message) when the run cannot
    finish (wall limit, crash); result() at the end. `started` is time.monotonic() at
    the start of the run: each event gets "t", seconds since then.
    """

    def __init__(
        self,
        limits: RunLimits,
        on_event: EventCallback | None = None,
        started: float | None = None,
    ) -> None:
        self.limits = limits
        self.on_event = on_event or _ignore
        self.started = time.monotonic() if started is None else started
        self.events: list[dict[str, Any]] = []
        self.output_bytes = 0
        self.output_truncated = False
        self.done: dict[str, Any] | None = None
        self.error: str | None = None
        self.noise_lines = 0

    def feed(self, line: bytes | str) -> dict[str, Any] | None:
        """Parses one line; returns the event it passed on, or None if it was dropped."""
        if self.done is not None:
            return None  # nothing counts after done
        raw = line if isinstance(line, bytes) else line.encode("utf-8", "replace")
        event = _parse_event(raw)
        if event is None:
            self.noise_lines += 1
            return None
        final = event["event"] in ("done", "error")
        if event["event"] == "truncated" and event.get("what") == "output":
            self.output_truncated = True
        if not final:
            if self.output_truncated and event["event"] != "truncated":
                return None
            if self.output_bytes + len(raw) > self.limits.max_output_bytes + HOST_OUTPUT_SLACK:
                self.output_truncated = True
                event = {
                    "event": "truncated",
                    "what": "output",
                    "limit": self.limits.max_output_bytes,
                }
            self.output_bytes += len(raw)
        if event["event"] == "error" and self.error is None:
            self.error = str(event.get("message") or "sandbox error")
        return self.emit(event)

    def emit(self, event: dict[str, Any]) -> dict[str, Any]:
        """Adds "t", records the event and hands it to on_event."""
        event["t"] = round(time.monotonic() - self.started, 6)
        if event["event"] == "done":
            self.done = event
        self.events.append(event)
        self.on_event(event)
        return event

    def fail(self, message: str) -> None:
        """Ends the run as failed: one error event (unless the agent sent one) + done."""
        if self.done is not None:
            return
        if self.error is None:
            self.error = message
            self.emit({"event": "error", "message": message})
        self.emit({"event": "done", "ok": False})

    def result(self) -> Result:
        if self.done is None:
            self.fail("the sandbox stopped without reporting done")
        assert self.done is not None
        ok = bool(self.done.get("ok")) and self.error is None
        return Result(
            ok=ok,
            events=self.events,
            error=None if ok else (self.error or "the run did not complete"),
            duration_s=round(time.monotonic() - self.started, 6),
        )


def _parse_event(raw: bytes) -> dict[str, Any] | None:
    text = raw.strip()
    if not text.startswith(b"{"):
        return None
    try:
        event = json.loads(text)
    except ValueError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    return event


def mount_if_missing(fstype: str, target: str) -> None:
    """Mounts fstype (tracefs, bpf) at target unless it is mounted there (fresh CI machine)."""
    with contextlib.suppress(OSError), open("/proc/self/mounts") as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) > 2 and fields[1] == target and fields[2] == fstype:
                return
    Path(target).mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", fstype, fstype, target], capture_output=True, check=False)


def _write_stdin(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    with contextlib.suppress(OSError):  # the process died early: its exit says why
        proc.stdin.write(data)
        proc.stdin.flush()
    with contextlib.suppress(OSError):
        proc.stdin.close()


def _drain_stderr(proc: subprocess.Popen[bytes], tail: deque[bytes]) -> None:
    assert proc.stderr is not None
    for chunk in iter(lambda: proc.stderr.read(4096) if proc.stderr else b"", b""):
        tail.append(chunk)


def _terminate(proc: subprocess.Popen[bytes], grace_s: float = TERM_GRACE_S) -> None:
    """SIGTERM first: the agent then kills and reaps its trigger and removes its trace
    instance (SIGKILLed, its orphans would go to an init that may never reap them)."""
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    _wait(proc, grace_s)
    _kill_group(proc)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def run_agent_process(
    argv: list[str],
    job: Job,
    on_event: EventCallback | None = None,
    *,
    wall_s: float | None = None,
    stream: EventStream | None = None,
    env: dict[str, str] | None = None,
    stdin_data: bytes | None = None,
) -> Result:
    """Runs argv (which runs the agent), streams its events, kills it at the wall limit.

    The process gets its own session, so the kill reaches everything it started. Pass
    `stream` to share one EventStream with events the backend emits itself (e.g. a
    `stage: booting` before the process starts); `stdin_data` replaces the encoded job
    (e.g. a prefix a boot loader needs). The caller tears down whatever else it made.
    """
    stream = stream or EventStream(job.limits, on_event)
    wall = job.limits.wall_s if wall_s is None else wall_s
    deadline = stream.started + wall
    data = encode_job(job) if stdin_data is None else stdin_data
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
    )
    stderr_tail: deque[bytes] = deque(maxlen=STDERR_TAIL_BYTES // 4096 + 1)
    threads = [
        threading.Thread(target=_write_stdin, args=(proc, data), daemon=True),
        threading.Thread(target=_drain_stderr, args=(proc, stderr_tail), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        timed_out = _pump_stdout(proc, stream, deadline)
        if timed_out:
            _terminate(proc)
            stream.fail(f"wall limit of {wall:g} s exceeded; the sandbox was killed")
        elif stream.done is None:
            code = _wait(proc, max(0.5, deadline - time.monotonic()))
            tail = b"".join(stderr_tail).decode("utf-8", "replace").strip()[-500:]
            stream.fail(
                f"the agent exited (status {code}) without finishing"
                + (f": {tail}" if tail else "")
            )
    finally:
        _kill_group(proc)  # the agent is done: nothing it started may outlive the run
        _wait(proc, 10)  # bounded: a process stuck in the kernel must not hang the worker
        for thread in threads:
            thread.join(timeout=1)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return stream.result()


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> int | None:
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def _pump_stdout(proc: subprocess.Popen[bytes], stream: EventStream, deadline: float) -> bool:
    """Feeds stdout lines to the stream until done or EOF. Returns True at the wall limit."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while stream.done is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            if not selector.select(timeout=remaining):
                continue
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not chunk:
                if buffer:
                    stream.feed(buffer)
                return False
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                stream.feed(line)
            if len(buffer) > MAX_LINE_BYTES:
                buffer = b""  # an endless line: drop it rather than grow forever
    return False
