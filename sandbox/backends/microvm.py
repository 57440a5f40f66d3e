"""The microvm backend: every run gets its own freshly started qemu microVM.

`MicroVMBackend(mode="warm")` (the default) starts a NEW qemu process per run with
`-incoming defer` and restores the image's saved snapshot into it (QMP
`migrate-incoming fd:N` on the snapshot file, opened by us and inherited, then `cont`): a VM whose kernel has booted and whose
agent already waits for its job on the serial port. `MicroVMBackend(mode="cold")` boots
the kernel and initramfs from scratch instead (also what "warm" does when the image has
no snapshot). Either way the VM runs exactly one job and is then killed: no kernel is
ever shared between runs. The benchmark measures both modes with
`get_backend("microvm", mode="cold" | "warm")`.

Optionally (`pool_size=N`, or BPFLAB_MICROVM_POOL=N in the worker's environment), a
background thread keeps N VMs restored and paused, so a warm run only has to resume one
(WarmPool): each pooled VM still serves exactly one run and is killed after it.

The first event of a run is `{"event": "stage", "stage": "booting", "boot": "snapshot" |
"cold", "vm_pid": <qemu pid>}`. Then the job goes to the agent over the job channel and
its events stream back, each passed to `on_event` as soon as its line is complete.

Plumbing: the job channel (a virtio serial port, /dev/vport0p1 in the guest), the
kernel console (ttyS0) and the QMP monitor are each one end of a socketpair handed to
qemu as an open fd (`-chardev socket,fd=N`), so no socket file is ever created; qemu's
stderr goes to an unlinked temp file. Teardown is always SIGKILL to qemu's process group
(it is its own session), so nothing of a run outlives it.

Framing: the channel carries nothing but the guest init's "@@bpflab@@ ready" line (read
before the snapshot is saved, or before a cold run's job is sent) and the agent's JSON
lines; kernel messages go to the console, which is only read to explain a failure. Still,
the host takes from each line what starts at `{"event"`, and EventStream drops anything
that is not an event, so stray bytes cannot derail a run.

The image (kernel, initramfs, snapshot) comes from `python -m sandbox image build`
(sandbox/image.py). `available()` says why not when it is missing, stale or qemu is
absent.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import IO, Literal

from sandbox import build
from sandbox import image as vm_image
from sandbox.backends.base import Backend, EventCallback, EventStream
from sandbox.job import Job, Result
from sandbox.qmp import QMPClient, QMPError
from sandbox.wire import encode_job

logger = logging.getLogger(__name__)
Mode = Literal["warm", "cold"]
POOL_ENV = "BPFLAB_MICROVM_POOL"
POOL_RESTORE_TIMEOUT_S = 30.0
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
EVENT_START = b'{"event"'
MAX_LINE_BYTES = 8 * 1024 * 1024
STDERR_TAIL_BYTES = 2000
CONSOLE_TAIL_BYTES = 4000


class VMError(RuntimeError):
    """The VM could not be started, restored or booted."""


class Machine:
    """One qemu microVM process: start it, cold-boot or restore it, talk to it, kill it."""

    def __init__(
        self, image: vm_image.Image, *, accel: str | None = None, restore: bool = False
    ) -> None:
        """restore: start qemu waiting for the image's snapshot (see restore())."""
        self.image = image
        self.accel = accel or image.accel
        self.incoming = restore
        self.snapshot_fd: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.channel: socket.socket | None = None
        self.console: socket.socket | None = None
        self.monitor: socket.socket | None = None
        self.stderr: IO[bytes] | None = None
        self.pending = b""  # channel bytes read but not yet consumed
        self.console_bytes = b""  # the end of the console output, for error messages

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def qmp(self) -> QMPClient:
        assert self.monitor is not None
        return self._qmp

    def argv(self, channel_fd: int, console_fd: int, monitor_fd: int) -> list[str]:
        argv = [vm_image.QEMU, *vm_image.MACHINE_ARGS, "-accel", self.accel]
        argv += ["-chardev", f"socket,id=channel0,fd={channel_fd},server=off"]
        argv += ["-device", f"virtserialport,chardev=channel0,name={vm_image.CHANNEL_NAME}"]
        argv += ["-chardev", f"socket,id=console0,fd={console_fd},server=off"]
        argv += ["-serial", "chardev:console0"]
        argv += ["-chardev", f"socket,id=qmp0,fd={monitor_fd},server=off"]
        argv += ["-mon", "chardev=qmp0,mode=control"]
        argv += ["-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd)]
        argv += ["-append", self.image.cmdline]
        if self.incoming:
            argv += ["-incoming", "defer"]
        return argv

    def start(self) -> None:
        self.channel, channel_guest = socket.socketpair()
        self.console, console_guest = socket.socketpair()
        self.monitor, monitor_guest = socket.socketpair()
        self.console.setblocking(False)
        self._qmp = QMPClient(self.monitor)
        # unlinked at once: nothing to remove, whatever happens; closed in kill()
        self.stderr = tempfile.TemporaryFile(prefix="bpflab-qemu-")  # noqa: SIM115
        guest_fds = (channel_guest.fileno(), console_guest.fileno(), monitor_guest.fileno())
        inherited = list(guest_fds)
        try:
            if self.incoming:
                # qemu reads the snapshot from this fd: no `exec:cat` shell per run
                self.snapshot_fd = os.open(self.image.snapshot, os.O_RDONLY | os.O_CLOEXEC)
                inherited.append(self.snapshot_fd)
            self.proc = subprocess.Popen(
                self.argv(*guest_fds),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.stderr,
                pass_fds=inherited,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as error:
            raise VMError(f"cannot start {vm_image.QEMU}: {error}") from error
        finally:
            for sock in (channel_guest, console_guest, monitor_guest):
                sock.close()

    def restore(self, deadline: float, resume: bool = True) -> None:
        """Loads the image's saved VM into this (-incoming defer) qemu; runs it if resume."""
        assert self.snapshot_fd is not None, "Machine(restore=True) first"
        try:
            self.qmp.handshake(deadline)
            capability = {"capability": "events", "state": True}
            self.qmp.execute("migrate-set-capabilities", {"capabilities": [capability]}, deadline)
            uri = f"fd:{self.snapshot_fd}"
            self.qmp.execute("migrate-incoming", {"uri": uri}, deadline)
            while True:
                status = self.qmp.wait_event("MIGRATION", deadline)["data"]["status"]
                if status == "completed":
                    break
                if status == "failed":
                    raise VMError(f"restoring the snapshot failed: {self.stderr_tail()}")
            if resume:
                self.resume(deadline)
        except QMPError as error:
            raise VMError(
                f"restoring the snapshot: {error} {self.stderr_tail()}".strip()
            ) from error

    def resume(self, deadline: float) -> None:
        """Lets a restored, paused VM run (QMP cont)."""
        try:
            self.qmp.execute("cont", deadline=deadline)
        except QMPError as error:
            raise VMError(f"resuming the VM: {error} {self.stderr_tail()}".strip()) from error

    def wait_ready(self, deadline: float) -> None:
        """Reads the channel until the guest's init says its agent waits for a job."""
        while vm_image.READY_MARKER not in self.pending:
            if not self._read_channel(deadline):
                if time.monotonic() >= deadline:
                    raise VMError(f"the VM did not boot in time; {self.diagnosis()}")
                raise VMError(f"qemu exited during boot; {self.diagnosis()}")
        self.pending = self.pending.split(vm_image.READY_MARKER, 1)[1].split(b"\n", 1)[-1]

    def save_snapshot(self, path: os.PathLike[str], deadline: float) -> None:
        """Stops the VM and writes its whole state to path (QMP migrate to a file)."""
        partial = f"{os.fspath(path)}.partial"
        try:
            self.qmp.execute("stop", deadline=deadline)
            self.qmp.execute("migrate", {"uri": f"exec:cat > {shlex.quote(partial)}"}, deadline)
            while True:
                status = self.qmp.execute("query-migrate", deadline=deadline).get("status")
                if status == "completed":
                    break
                if status in ("failed", "cancelled"):
                    raise VMError(f"saving the snapshot {status}: {self.stderr_tail()}")
                time.sleep(0.02)
        except QMPError as error:
            raise VMError(f"saving the snapshot: {error}") from error
        os.replace(partial, path)

    def _read_channel(self, deadline: float) -> bool:
        """Appends what the channel has to self.pending; False at EOF or the deadline.

        Drains the console meanwhile: unread, it stalls the guest (see drain_console).
        """
        assert self.channel is not None and self.console is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.channel, selectors.EVENT_READ, "channel")
            selector.register(self.console, selectors.EVENT_READ, "console")
            while (remaining := deadline - time.monotonic()) > 0:
                ready = {key.data for key, _ in selector.select(timeout=remaining)}
                if "console" in ready:
                    self.drain_console()
                if "channel" in ready:
                    chunk = self.channel.recv(65536)
                    self.pending += chunk
                    return bool(chunk)
        return False

    def drain_console(self) -> None:
        """Reads what the console has, keeping its end.

        qemu's UART writes the socket a byte at a time, so a few hundred unread bytes fill
        the socket buffer and then the guest waits on its console: read it whenever the
        guest runs (kernel warnings, the agent's stderr).
        """
        if self.console is None:
            return
        with contextlib.suppress(OSError):  # BlockingIOError: nothing more for now
            while chunk := self.console.recv(65536):
                self.console_bytes = (self.console_bytes + chunk)[-CONSOLE_TAIL_BYTES:]

    def console_tail(self) -> str:
        """The end of what the guest kernel, init and agent stderr wrote on the console."""
        self.drain_console()
        return self.console_bytes.decode("utf-8", "replace").strip()

    def diagnosis(self) -> str:
        """What qemu and the guest said, for an error message."""
        parts = [f"qemu: {self.stderr_tail()!r}" if self.stderr_tail() else ""]
        console = self.console_tail()
        parts.append(f"console: {console[-400:]!r}" if console else "")
        return " ".join(part for part in parts if part) or "no output from qemu or the guest"

    def stderr_tail(self) -> str:
        if self.stderr is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - STDERR_TAIL_BYTES))
            return self.stderr.read().decode("utf-8", "replace").strip()
        return ""

    def exited(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def kill(self) -> None:
        """Always safe to call, any number of times: qemu dead and reaped, fds closed."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        if self.snapshot_fd is not None:
            os.close(self.snapshot_fd)
            self.snapshot_fd = None
        for sock in (self.channel, self.console, self.monitor):
            if sock is not None:
                sock.close()
        if self.stderr is not None:
            self.stderr.close()


class MicroVMBackend(Backend):
    name = "microvm"

    def __init__(
        self,
        mode: Mode = "warm",
        image: vm_image.Image | None = None,
        pool_size: int | None = None,
        kernel: str | None = None,
    ) -> None:
        """mode: "warm" restores the snapshot, "cold" boots. image: if None, the current
        image of `kernel` (a name of sandbox/kernels.lock, e.g. "6.12"; None: the default).

        pool_size: how many restored, paused VMs to keep ready (warm mode; each used once,
        see WarmPool); default from the BPFLAB_MICROVM_POOL environment variable, else 0.
        """
        if mode not in ("warm", "cold"):
            raise ValueError(f"mode must be 'warm' or 'cold', not {mode!r}")
        self.mode = mode
        self.image = image
        self.kernel = kernel
        self.pool_size = _pool_size_from_env() if pool_size is None else pool_size
        self._qemu_version: str | None = None

    def available(self) -> tuple[bool, str]:
        if shutil.which(vm_image.QEMU) is None:
            return False, f"{vm_image.QEMU} is not installed (apt-get install qemu-system-x86)"
        image = self.image or vm_image.current_image(kernel=self.kernel)
        if image is None:
            which = f"kernel {self.kernel}'s VM image" if self.kernel else "the VM image"
            return False, f"{which} is not built: run `python -m sandbox image build`"
        if self._qemu_version is None:
            self._qemu_version = vm_image.qemu_version()
        inputs = image.manifest.get("inputs", {})
        rebuild = "run `python -m sandbox image build`"
        if inputs.get("qemu") != self._qemu_version:
            return False, f"the VM image was built for another qemu: {rebuild}"
        agent = build.AGENT_STATIC_BINARY
        if agent.exists() and vm_image.file_sha256(agent) != inputs.get("agent_sha256"):
            return False, f"the VM image holds another build of the agent: {rebuild}"
        if self.mode == "warm" and not image.has_snapshot():
            return True, f"image {image.directory.name} has no snapshot: every run boots cold"
        return True, f"image {image.directory.name}, {self.mode} start, {image.accel}"

    def run(self, job: Job, on_event: EventCallback | None = None) -> Result:
        job.validate()
        stream = EventStream(job.limits, on_event)
        deadline = stream.started + job.limits.wall_s
        image = self.image or vm_image.current_image(kernel=self.kernel)
        if image is None:
            stream.emit({"event": "stage", "stage": "booting", "boot": None, "vm_pid": None})
            which = f"kernel {self.kernel}" if self.kernel else "the default kernel"
            stream.fail(f"microvm: no VM image for {which}; run `python -m sandbox image build`")
            return stream.result()
        restore = self.mode == "warm" and image.has_snapshot()
        pooled = warm_pool(image, self.pool_size).take() if restore and self.pool_size else None
        machine = pooled or Machine(image, restore=restore)
        phase = "starting qemu"
        try:
            if pooled is None:
                machine.start()
            boot = "snapshot" if restore else "cold"
            stream.emit(
                {
                    "event": "stage",
                    "stage": "booting",
                    "boot": boot,
                    "vm_pid": machine.pid,
                    "pooled": pooled is not None,
                    "kernel": image.kernel_name,
                    "release": image.kernel_release,
                }
            )
            if pooled is not None:
                phase = "resuming a restored VM"
                machine.resume(deadline)
            elif restore:
                phase = "restoring the snapshot"
                machine.restore(deadline)
            else:
                phase = "booting"
                machine.wait_ready(deadline)
            phase = "running the job"
            _exchange(machine, encode_job(job), stream, deadline)
            if stream.done is None:
                _fail_unfinished(machine, stream, deadline, job.limits.wall_s, phase)
        except VMError as error:
            _fail_unfinished(machine, stream, deadline, job.limits.wall_s, phase, error)
        finally:
            machine.kill()
        return stream.result()


class WarmPool:
    """Restored, paused VMs waiting for one job each, refilled by a background thread.

    Takes the restore (qemu start + snapshot load, ~0.1 s) off a run's critical path. A
    VM leaves the pool once, for one run, and is killed after it: no VM is ever reused.
    Paused VMs cost memory (~60 MB resident each), no CPU. One pool per process, shared by
    all backend instances (the grader makes one per run), for the current image only. Its
    VMs die with the pool thread (PR_SET_PDEATHSIG), with the process, and at exit.
    """

    def __init__(self, image: vm_image.Image, size: int) -> None:
        self.image = image
        self.size = size
        self.ready: list[Machine] = []
        self.cond = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._fill, name="bpflab-vm-pool", daemon=True)
        self.thread.start()

    def take(self) -> Machine | None:
        """A restored, paused VM, or None when none is ready (the run restores its own)."""
        with self.cond:
            while self.ready:
                machine = self.ready.pop(0)
                self.cond.notify()
                if not machine.exited():
                    return machine
                machine.kill()
        return None

    def wait_filled(self, timeout_s: float) -> bool:
        """Waits until the pool holds its size of VMs (for tests and warm-up)."""
        with self.cond:
            return self.cond.wait_for(lambda: len(self.ready) >= self.size, timeout=timeout_s)

    def _fill(self) -> None:
        failures = 0
        while True:
            with self.cond:
                while not self.closed and len(self.ready) >= self.size:
                    self.cond.wait()
                if self.closed:
                    return
            machine = Machine(self.image, restore=True)
            try:
                machine.start()
                machine.restore(time.monotonic() + POOL_RESTORE_TIMEOUT_S, resume=False)
            except VMError as error:
                machine.kill()
                failures += 1
                logger.warning("microvm pool: restoring a VM failed: %s", error)
                time.sleep(min(30.0, 0.5 * 2**failures))
                continue
            failures = 0
            with self.cond:
                if self.closed:
                    machine.kill()
                    return
                self.ready.append(machine)
                self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            machines, self.ready = self.ready, []
            self.cond.notify_all()
        for machine in machines:
            machine.kill()
        self.thread.join(timeout=POOL_RESTORE_TIMEOUT_S + 5)


_pools: dict[str, WarmPool] = {}  # by kernel name: each kernel has its own VMs
_pool_lock = threading.Lock()


def warm_pool(image: vm_image.Image, size: int) -> WarmPool:
    """The process's pool for this image's kernel and this size (a new image of that kernel,
    or a new size, replaces it)."""
    with _pool_lock:
        pool = _pools.get(image.kernel_name)
        if pool is not None and (pool.image.directory != image.directory or pool.size != size):
            pool.close()
            pool = None
        if pool is None:
            pool = _pools[image.kernel_name] = WarmPool(image, size)
        return pool


@atexit.register
def close_pool() -> None:
    """Kills the pooled VMs of every kernel (at exit, and for tests)."""
    with _pool_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


def _pool_size_from_env() -> int:
    value = os.environ.get(POOL_ENV, "0")
    try:
        return max(0, int(value))
    except ValueError:
        raise ValueError(f"{POOL_ENV} must be a whole number, not {value!r}") from None


def _die_with_parent() -> None:
    """In qemu's child process before exec: SIGKILL when the thread that started it dies.

    A worker killed mid-run (a Celery hard time limit) must not leave a VM spinning.
    """
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _fail_unfinished(
    machine: Machine,
    stream: EventStream,
    deadline: float,
    wall_s: float,
    phase: str,
    error: VMError | None = None,
) -> None:
    """Ends a run the VM did not finish; the full story goes to the log, for operators."""
    diagnosis = machine.diagnosis()
    if time.monotonic() >= deadline:
        message = f"wall limit of {wall_s:g} s exceeded while {phase}; the VM was killed"
    elif error is not None:
        message = f"microvm: {error}"
    else:
        message = f"the VM stopped while {phase}; {diagnosis}"
    logger.warning("microvm run (qemu pid %s) failed: %s; %s", machine.pid, message, diagnosis)
    stream.fail(message)


def _exchange(machine: Machine, payload: bytes, stream: EventStream, deadline: float) -> None:
    """Writes the job to the channel while streaming events back, until done/EOF/deadline.

    Both directions in one loop: a big job may not fit the socket buffer before the guest
    starts reading it, and the agent may already answer while we are still writing.
    """
    channel, console = machine.channel, machine.console
    assert channel is not None and console is not None
    channel.setblocking(False)
    pending = memoryview(payload)
    buffer, machine.pending = machine.pending, b""
    with selectors.DefaultSelector() as selector:
        selector.register(channel, selectors.EVENT_READ | selectors.EVENT_WRITE)
        selector.register(console, selectors.EVENT_READ)
        while stream.done is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, mask in selector.select(timeout=remaining):
                if key.fileobj is console:
                    machine.drain_console()
                    continue
                if mask & selectors.EVENT_WRITE and pending:
                    with contextlib.suppress(BlockingIOError):
                        pending = pending[channel.send(pending) :]
                    if not pending:
                        selector.modify(channel, selectors.EVENT_READ)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = channel.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        return
                    buffer = _feed_lines(buffer + chunk, stream)
    machine.pending = buffer


def _feed_lines(buffer: bytes, stream: EventStream) -> bytes:
    """Feeds every complete line's event part to the stream; returns the unfinished rest."""
    *lines, rest = buffer.split(b"\n")
    for line in lines:
        start = line.find(EVENT_START)
        if start >= 0:
            stream.feed(line[start:].rstrip(b"\r"))
        if stream.done is not None:
            break
    return b"" if len(rest) > MAX_LINE_BYTES else rest
