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
- `trace_lock(job, reads_trace)`: the host-wide shared/exclusive lock that keeps one run's
  tracepoint program from printing into another run's trace (see `TraceLock`).
- `object_may_print(obj)`: whether an object calls a printing helper at all (a run whose
  object cannot print needs no trace instance).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import re
import selectors
import signal
import struct
import subprocess
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox import kernel_headers
from sandbox.job import Job, Result, RunControl, RunLimits, pending_op
from sandbox.wire import encode_job

EventCallback = Callable[[dict[str, Any]], None]
logger = logging.getLogger(__name__)

# Host-side slack over max_output_bytes: the agent's own cap fires first, so the host
# cap only catches an agent that misbehaves.
HOST_OUTPUT_SLACK = 64 * 1024
# A single line longer than this is not an event we can use.
MAX_LINE_BYTES = 8 * 1024 * 1024
STDERR_TAIL_BYTES = 4096
# How long a process gets to clean up after SIGTERM at the wall limit before SIGKILL.
TERM_GRACE_S = 0.5
# After `done`, an agent tears down in the background (detach, close, remove its trace
# instance: ~40 ms of RCU waits). It gets until the wall limit, and at least this long,
# before it is killed like a run that hit the wall limit.
TEARDOWN_GRACE_S = 2.0
# At most this many agents of this process may still be tearing down: a new run waits
# for room, so leftovers never pile up however fast runs come.
MAX_PENDING_TEARDOWNS = 4


class Backend(ABC):
    """Runs a Job in some sandbox. Subclasses set `name`."""

    name = "base"

    @abstractmethod
    def run(
        self, job: Job, on_event: EventCallback | None = None, control: RunControl | None = None
    ) -> Result:
        """Runs the job, calling on_event(event) as each event arrives; always tears down.
        `control` (optional) lets the caller stop a live op early: the backend keeps the
        job channel open and connects `control` to it."""

    @abstractmethod
    def available(self) -> tuple[bool, str]:
        """Whether this backend can run here, and a short reason either way."""

    def kernel_headers(self) -> Path | None:
        """The folder of the run kernel's vmlinux.h (sandbox/kernel_headers.py), for the
        compile jail; None when that kernel has no BTF. Default: the host's kernel."""
        return kernel_headers.host_headers()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Waits until no sandbox this process started is still tearing down (a run
        returns at `done`, before its teardown ends). True when idle, False at timeout."""
        return wait_for_teardowns(timeout)


def _ignore(event: dict[str, Any]) -> None:
    return None


class LineSplitter:
    """Splits a byte stream into lines, for every backend alike.

    `feed(chunk)` returns the lines the chunk completed (without their newline). A line
    that grows past `limit` bytes is not an event anyone can use: it is dropped whole, up
    to and including its newline, instead of growing the buffer forever. `end()` returns
    the unfinished last line when the stream ends (None when there is none).
    """

    def __init__(self, limit: int = MAX_LINE_BYTES) -> None:
        self.limit = limit
        self.rest = b""
        self.dropping = False  # inside a line that passed the limit

    def feed(self, chunk: bytes) -> list[bytes]:
        lines = (self.rest + chunk).split(b"\n")
        self.rest = lines.pop()
        if self.dropping and lines:
            lines.pop(0)  # the end of the over-long line
            self.dropping = False
        if len(self.rest) > self.limit:
            self.rest, self.dropping = b"", True
        return lines

    def end(self) -> bytes | None:
        rest, self.rest = self.rest, b""
        dropped, self.dropping = self.dropping, False
        return rest if rest and not dropped else None


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
        self.timed_out: dict[str, Any] | None = None
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

    def time_limit(self, job: Job, limit_s: float, what: str = "wall") -> None:
        """Ends a run stopped at its time limit while the learner's program ran: the
        op that ran too long, as data (a `time_limit` event), then done."""
        if self.done is not None:
            return
        op = pending_op(job.ops, self.events)
        self.timed_out = {"op": op["op"], "id": op["id"], "limit_s": limit_s, "what": what}
        self.emit({"event": "time_limit", **self.timed_out})
        self.emit({"event": "done", "ok": False})

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
        error: str | None = None if ok else (self.error or "the run did not complete")
        if self.timed_out:
            limit = self.timed_out
            error = (
                f"time limit: {limit['op']} {limit['id']!r} ran longer than {limit['limit_s']:g} s"
            )
        return Result(
            ok=ok,
            events=self.events,
            error=error,
            duration_s=round(time.monotonic() - self.started, 6),
            time_limit=self.timed_out,
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


def _write_stdin(
    proc: subprocess.Popen[bytes], data: bytes, keep_open: threading.Lock | None = None
) -> None:
    """Writes the job; closes stdin after it unless a RunControl may still write (then
    `keep_open` is held while the job is written)."""
    assert proc.stdin is not None
    # the process died early: its exit says why
    with keep_open or contextlib.nullcontext(), contextlib.suppress(OSError):
        proc.stdin.write(data)
        proc.stdin.flush()
    if keep_open is None:
        with contextlib.suppress(OSError):
            proc.stdin.close()


def _connect_control(
    control: RunControl | None, proc: subprocess.Popen[bytes]
) -> threading.Lock | None:
    """Connects a RunControl to the agent's stdin; the lock orders it after the job."""
    if control is None:
        return None
    lock = threading.Lock()

    def send(data: bytes) -> None:
        assert proc.stdin is not None
        with lock:
            proc.stdin.write(data)
            proc.stdin.flush()

    control.connect(send)
    return lock


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


def _let_others_run(proc: subprocess.Popen[bytes]) -> None:
    """A process past its wall limit may spin in the kernel (a test-run cannot be
    interrupted) until its program returns: it gets the CPU only when nothing else wants
    it, so the worker's other runs and the web server stay responsive meanwhile."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, proc.pid, 19)


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
    teardown_in_background: bool = False,
    on_exit: Callable[[], None] | None = None,
    control: RunControl | None = None,
) -> Result:
    """Runs argv (which runs the agent), streams its events, kills it at the wall limit.

    The process gets its own session, so the kill reaches everything it started. Pass
    `stream` to share one EventStream with events the backend emits itself (e.g. a
    `stage: booting` before the process starts); `stdin_data` replaces the encoded job
    (e.g. a prefix a boot loader needs). The caller tears down whatever else it made.

    With `teardown_in_background`, the Result is returned as soon as `done` arrives and a
    reaper thread waits for the process to exit (killing its group at the wall limit, at
    least TEARDOWN_GRACE_S after `done`); `Backend.wait_idle()` waits for it. `on_exit`
    runs once the process and everything it started are gone (in the reaper when there is
    one), whatever happened, even when the process could not be started.
    """
    stream = stream or EventStream(job.limits, on_event)
    wall = job.limits.wall_s if wall_s is None else wall_s
    deadline = stream.started + wall
    data = encode_job(job) if stdin_data is None else stdin_data
    _wait_for_teardown_room()
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=env,
        )
    except BaseException:
        _call(on_exit)
        raise
    stderr_tail: deque[bytes] = deque(maxlen=STDERR_TAIL_BYTES // 4096 + 1)
    keep_open = _connect_control(control, proc)
    threads = [
        threading.Thread(target=_write_stdin, args=(proc, data, keep_open), daemon=True),
        threading.Thread(target=_drain_stderr, args=(proc, stderr_tail), daemon=True),
    ]
    for thread in threads:
        thread.start()
    background = False
    try:
        timed_out = _pump_stdout(proc, stream, deadline)
        if timed_out:
            _let_others_run(proc)
            _terminate(proc)
            stream.time_limit(job, wall)
            if teardown_in_background:
                # A test-run the kernel cannot interrupt dies only when the program returns:
                # the verdict does not wait for it; the reaper does.
                _start_teardown(proc, threads, deadline, on_exit)
                background = True
        elif stream.done is None:
            code = _wait(proc, max(0.5, deadline - time.monotonic()))
            tail = b"".join(stderr_tail).decode("utf-8", "replace").strip()[-500:]
            stream.fail(
                f"the agent exited (status {code}) without finishing"
                + (f": {tail}" if tail else "")
            )
        elif teardown_in_background:
            _start_teardown(proc, threads, deadline, on_exit)
            background = True
    finally:
        if not background:
            _finish_process(proc, threads, deadline, on_exit)
    return stream.result()


def _finish_process(
    proc: subprocess.Popen[bytes],
    threads: list[threading.Thread],
    deadline: float,
    on_exit: Callable[[], None] | None,
) -> None:
    """Lets the process end its teardown (until the deadline, at least
    TEARDOWN_GRACE_S), then kills whatever of its group is left and reaps it."""
    try:
        limit = max(deadline, time.monotonic() + TEARDOWN_GRACE_S)
        if proc.poll() is None and _drain_until_exit(proc, limit) is None:
            _terminate(proc)
        _kill_group(proc)  # nothing it started may outlive the run
        _wait(proc, 10)  # bounded: a process stuck in the kernel must not hang the worker
        for thread in threads:
            thread.join(timeout=1)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
    finally:
        _call(on_exit)


def _drain_until_exit(proc: subprocess.Popen[bytes], limit: float) -> int | None:
    """Discards what the process still writes (so it never blocks on a full pipe) until
    it closes stdout, then waits for its exit; None if the limit came first."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while (remaining := limit - time.monotonic()) > 0:
            if not selector.select(timeout=remaining):
                continue
            try:
                if not os.read(fd, 65536):
                    break
            except BlockingIOError:
                continue
            except OSError:
                break
    return _wait(proc, max(0.0, limit - time.monotonic()))


def _call(callback: Callable[[], None] | None) -> None:
    if callback is None:
        return
    try:
        callback()
    except Exception:  # a teardown step that failed must not take the worker with it
        logger.exception("sandbox teardown step failed")


# The reapers of this process's agents that are still tearing down.
_teardowns: set[threading.Thread] = set()
_teardowns_changed = threading.Condition()


def _start_teardown(
    proc: subprocess.Popen[bytes],
    threads: list[threading.Thread],
    deadline: float,
    on_exit: Callable[[], None] | None,
) -> None:
    def reap() -> None:
        try:
            _finish_process(proc, threads, deadline, on_exit)
        finally:
            with _teardowns_changed:
                _teardowns.discard(reaper)
                _teardowns_changed.notify_all()

    reaper = threading.Thread(target=reap, name=f"bpflab-reaper-{proc.pid}", daemon=True)
    with _teardowns_changed:
        _teardowns.add(reaper)
    reaper.start()


def _wait_for_teardown_room() -> None:
    with _teardowns_changed:
        _teardowns_changed.wait_for(lambda: len(_teardowns) < MAX_PENDING_TEARDOWNS)


def wait_for_teardowns(timeout: float = 30.0) -> bool:
    """Waits until every agent this process started has exited and been cleaned up."""
    with _teardowns_changed:
        return _teardowns_changed.wait_for(lambda: not _teardowns, timeout=timeout)


def _forget_teardowns() -> None:
    """In a forked child (a Celery prefork worker) the parent's reapers do not exist."""
    global _teardowns_changed
    _teardowns.clear()
    _teardowns_changed = threading.Condition()


# A worker that exits (or a test process) lets its last agents finish their teardown.
atexit.register(wait_for_teardowns, 10.0)
os.register_at_fork(after_in_child=_forget_teardowns)


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
    lines = LineSplitter()
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
                feed_end(lines, stream)
                return False
            for line in lines.feed(chunk):
                stream.feed(line)
    return False


def feed_end(lines: LineSplitter, stream: EventStream) -> None:
    """At the end of the output: its unfinished last line, unless the run is over."""
    last = lines.end()
    if last is not None and stream.done is None:
        stream.feed(last)


# ------------------------------------------------------------------ trace isolation
#
# A tracepoint (or any global hook) program fires for every process on the host and
# prints in that process's context: with its pid, so it passes the pid filter of any
# run whose process hit the hook. A run reading traces while another run's global hook
# is attached could read that program's lines (and a wrong program pass on them). So:
# a run that attaches a global hook holds this lock exclusively until its agent has
# exited (the hook detached); a run that reads traces holds it shared until `done`.
GLOBAL_HOOK_LOCK = Path("/run/lock/bpflab-global-hooks.lock")
# flock has no writer preference: a steady stream of shared holders would starve an
# exclusive waiter. Every taker passes through this gate first, and an exclusive taker
# keeps it until it holds the lock, so later readers queue behind it.
GLOBAL_HOOK_GATE = Path("/run/lock/bpflab-global-hooks.gate")
GLOBAL_HOOK_WAIT_S = 60.0
LOCK_POLL_S = 0.002
GLOBAL_HOOK_SECTIONS = (
    b"tracepoint/",
    b"tp/",
    b"raw_tracepoint/",
    b"raw_tp/",
    b"tp_btf/",
    b"fentry/",
    b"fexit/",
    b"fmod_ret/",
    b"kprobe/",
    b"kretprobe/",
    b"uprobe/",
    b"uretprobe/",
    b"ksyscall/",
    b"usdt/",
    b"perf_event",
    b"lsm/",
    b"iter/",
)


class GlobalHooksBusy(RuntimeError):
    pass


def attaches_global_hook(job: Job) -> bool:
    """Whether the job attaches a program to a hook every process on the host hits."""
    for op in job.ops:
        if op["op"] != "attach":
            continue
        target = op.get("target")
        obj = job.objects.get(op["object"], b"") if op.get("object") else job.object
        if target is None and any(prefix in obj for prefix in GLOBAL_HOOK_SECTIONS):
            return True  # the section decides; a false positive only costs a wait
        if target is not None and not str(target).startswith(("xdp", "tc")):
            return True
    return False


class TraceLock:
    """One run's hold on the host-wide global-hook lock (exclusive or shared).

    acquire() waits up to `timeout_s` (GlobalHooksBusy after that); release() may be
    called more than once and from another thread (a reaper)."""

    def __init__(self, exclusive: bool, timeout_s: float = GLOBAL_HOOK_WAIT_S) -> None:
        self.exclusive = exclusive
        self.timeout_s = timeout_s
        self._fd: int | None = None
        self._guard = threading.Lock()

    def acquire(self) -> TraceLock:
        deadline = time.monotonic() + self.timeout_s
        GLOBAL_HOOK_LOCK.parent.mkdir(parents=True, exist_ok=True)
        gate = _open_lock_file(GLOBAL_HOOK_GATE)
        fd = _open_lock_file(GLOBAL_HOOK_LOCK)
        try:
            _flock(gate, fcntl.LOCK_EX, deadline)
            _flock(fd, fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH, deadline)
        except BaseException:
            os.close(fd)
            raise
        finally:
            os.close(gate)  # releases the gate
        self._fd = fd
        return self

    def release(self) -> None:
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # releases the lock

    def __enter__(self) -> TraceLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def trace_lock(job: Job, reads_trace: bool = True) -> TraceLock | None:
    """The lock this job's run must hold: exclusive when it attaches a global hook,
    shared when it reads traces, none when it does neither."""
    if attaches_global_hook(job):
        return TraceLock(exclusive=True)
    return TraceLock(exclusive=False) if reads_trace else None


def _open_lock_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


def _flock(fd: int, mode: int, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise GlobalHooksBusy(
                    "other runs kept the tracing hooks busy; try again in a moment"
                ) from None
            time.sleep(LOCK_POLL_S)


# BPF_JMP | BPF_CALL with src_reg 0 (a helper, not a bpf-to-bpf or kfunc call) and imm
# 6 (bpf_trace_printk) or 177 (bpf_trace_vprintk), little-endian. A lookahead, so
# matches may overlap: one at a wrong offset must not hide the real one; only matches at
# an instruction boundary count.
_PRINT_CALL = re.compile(rb"(?=\x85[\x00-\x0f]..(?:\x06|\xb1)\x00\x00\x00)", re.DOTALL)
SHF_EXECINSTR = 0x4
SHT_PROGBITS = 1


def object_may_print(obj: bytes) -> bool:
    """Whether any program section of the ELF object calls bpf_trace_printk or
    bpf_trace_vprintk. An object this cannot read (not a little-endian ELF64) may."""
    try:
        return any(_calls_print(obj[start:end]) for start, end in _code_sections(obj))
    except (struct.error, ValueError):
        return True


def job_may_print(job: Job) -> bool:
    """Whether any object of the job calls a printing helper."""
    return any(object_may_print(obj) for obj in job.all_objects())


def _code_sections(obj: bytes) -> list[tuple[int, int]]:
    if obj[:6] != b"\x7fELF\x02\x01":  # ELF, 64-bit, little-endian
        raise ValueError("not a little-endian ELF64 object")
    (shoff,) = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    if shentsize < 0x28:
        raise ValueError("bad section header size")
    sections = []
    for index in range(shnum):
        header = shoff + index * shentsize
        sh_type, sh_flags = struct.unpack_from("<IQ", obj, header + 4)
        offset, size = struct.unpack_from("<QQ", obj, header + 0x18)
        if sh_type == SHT_PROGBITS and sh_flags & SHF_EXECINSTR:
            if offset + size > len(obj):
                raise ValueError("section past the end of the object")
            sections.append((offset, offset + size))
    return sections


def _calls_print(code: bytes) -> bool:
    return any(match.start() % 8 == 0 for match in _PRINT_CALL.finditer(code))
