"""Where the VM is booted: one qemu microVM process (`Machine`) started, cold-booted or
restored from a snapshot, talked to over its job channel, and killed.

Used by the microvm backend (sandbox/backends/microvm.py: a VM per run, the warm pool)
and by the image builder (sandbox/image.py: the boot that saves the snapshot, the KVM
probe). It needs only the paths of an image, never the builder: the builder imports it.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import queue
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from typing import IO, TYPE_CHECKING

from sandbox.qmp import QMPClient, QMPError

if TYPE_CHECKING:
    from sandbox.image import Image

logger = logging.getLogger(__name__)
QEMU = os.environ.get("BPFLAB_QEMU", "qemu-system-x86_64")
MEMORY_MIB = 256
# Everything but the per-run sockets and -incoming: the snapshot is only valid for the
# very same machine, so this is part of the image key. The job and its events travel on
# a virtio serial port (/dev/vport0p1 in the guest, named CHANNEL_NAME): the 8250 UART
# moves ~30 KB/s under TCG, a virtqueue takes a whole job at once. ttyS0 stays the
# kernel's console, read only to explain a failed boot.
CHANNEL_NAME = "bpflab"
MACHINE_ARGS = (
    "-M", "microvm", "-m", str(MEMORY_MIB), "-nodefaults", "-no-user-config",
    "-display", "none", "-no-reboot", "-device", "virtio-serial-device",
)  # fmt: skip
READY_MARKER = b"@@bpflab@@ ready"
# The agent's answer to "warm-up" (Machine.warm): it loaded its warm-up object again.
WARM_MARKER = b"@@bpflab@@ warm"
# The guest init's line once the agent has ended, after everything the agent wrote:
# "@@bpflab@@ agent exited STATUS" (the shell's status: 128 + N for signal N). The VM
# then waits to be killed, so nothing the agent wrote is lost (sandbox/vm/init).
AGENT_EXIT_MARKER = b"@@bpflab@@ agent exited "
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)
STDERR_TAIL_BYTES = 2000
CONSOLE_TAIL_BYTES = 4000


class VMError(RuntimeError):
    """The VM could not be started, restored or booted."""


class Machine:
    """One qemu microVM process: start it, cold-boot or restore it, talk to it, kill it."""

    def __init__(
        self,
        image: Image,
        *,
        accel: str | None = None,
        restore: bool = False,
        template_ram: os.PathLike[str] | None = None,
    ) -> None:
        """restore: start qemu waiting for the image's snapshot (see restore()).
        template_ram: boot with the guest RAM shared into this file, to save a template
        snapshot of it (sandbox/image.py); a restore maps an image's template privately."""
        self.image = image
        self.accel = accel or image.accel
        self.incoming = restore
        self.template_ram = template_ram
        self.snapshot_fd: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.channel: socket.socket | None = None
        self.console: socket.socket | None = None
        self.monitor: socket.socket | None = None
        self.stderr: IO[bytes] | None = None
        self.paused = False  # restored and stopped: resume() before its job
        self.signalled = False  # SIGKILL sent: never signal that pid again
        self.kill_lock = threading.Lock()
        self.pending = b""  # channel bytes read but not yet consumed
        self.console_bytes = b""  # the end of the console output, for error messages
        self.agent_status: int | None = None  # set when the guest init says the agent ended

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def qmp(self) -> QMPClient:
        assert self.monitor is not None
        return self._qmp

    def argv(self, channel_fd: int, console_fd: int, monitor_fd: int) -> list[str]:
        argv = [QEMU, *MACHINE_ARGS, "-accel", self.accel]
        argv += ["-chardev", f"socket,id=channel0,fd={channel_fd},server=off"]
        argv += ["-device", f"virtserialport,chardev=channel0,name={CHANNEL_NAME}"]
        argv += ["-chardev", f"socket,id=console0,fd={console_fd},server=off"]
        argv += ["-serial", "chardev:console0"]
        argv += ["-chardev", f"socket,id=qmp0,fd={monitor_fd},server=off"]
        argv += ["-mon", "chardev=qmp0,mode=control"]
        argv += self._memory()
        argv += ["-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd)]
        argv += ["-append", self.image.cmdline]
        if self.incoming:
            argv += ["-incoming", "defer"]
        return argv

    def _memory(self) -> list[str]:
        """The guest RAM in a file: shared while a template is made, copy-on-write (share=off:
        a private mapping) for a restore of one, so every clone starts from the page cache."""
        if self.template_ram is not None:
            path, share = os.fspath(self.template_ram), "on"
        elif self.incoming and self.image.template_ram is not None:
            path, share = os.fspath(self.image.template_ram), "off"
        else:
            return []
        backend = f"memory-backend-file,id=ram0,size={MEMORY_MIB}M,mem-path={path},share={share}"
        return ["-object", backend, "-machine", "memory-backend=ram0"]

    def _capabilities(self) -> list[dict[str, object]]:
        """Migration capabilities: events, and for a template x-ignore-shared (its RAM is
        in the file, not in the stream)."""
        capabilities: list[dict[str, object]] = [{"capability": "events", "state": True}]
        if self.template_ram is not None or self.image.template_ram is not None:
            capabilities.append({"capability": "x-ignore-shared", "state": True})
        return capabilities

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
                DIE_WITH_PARENT + self.argv(*guest_fds),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self.stderr,
                pass_fds=inherited,
                start_new_session=True,
                preexec_fn=None if DIE_WITH_PARENT else _die_with_parent,
            )
        except OSError as error:
            raise VMError(f"cannot start {QEMU}: {error}") from error
        finally:
            for sock in (channel_guest, console_guest, monitor_guest):
                sock.close()

    def start_detached(self) -> None:
        """start(), from a thread that lives as long as the process rather than from the
        caller's: qemu dies with the thread that started it, and the caller's may end
        before the VM's run (a VM restored in the background while the program compiles)."""
        _launcher.start(self)

    def restore(self, deadline: float, resume: bool = True) -> None:
        """Loads the image's saved VM into this (-incoming defer) qemu; runs it if resume."""
        assert self.snapshot_fd is not None, "Machine(restore=True) first"
        try:
            self.qmp.handshake(deadline)
            capabilities = {"capabilities": self._capabilities()}
            self.qmp.execute("migrate-set-capabilities", capabilities, deadline)
            uri = f"fd:{self.snapshot_fd}"
            self.qmp.execute("migrate-incoming", {"uri": uri}, deadline)
            while True:
                status = self.qmp.wait_event("MIGRATION", deadline)["data"]["status"]
                if status == "completed":
                    break
                if status == "failed":
                    raise VMError(f"restoring the snapshot failed: {self.stderr_tail()}")
            self.paused = True
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
        self.paused = False

    def begin_warm_up(self) -> None:
        """Has a restored, running VM's agent start its warm-up job and returns at once: the
        job the host sends next interrupts it (the agent kills its warm-up child), keeping
        what qemu translated until then. For a VM restored while the program compiles."""
        assert self.channel is not None
        try:
            self.channel.sendall(b"warm-up\n")
        except OSError as error:
            raise VMError(f"warming up the VM: {error}") from error

    def warm(self, deadline: float) -> None:
        """Has a restored VM's agent load and test-run its warm-up object once more, then
        pauses the VM. Each qemu translates the guest's code anew (TCG): done here, off a
        run's path, the learner's load runs through code already translated."""
        assert self.channel is not None
        try:
            self.channel.sendall(b"warm-up\n")
        except OSError as error:
            raise VMError(f"warming up the VM: {error}") from error
        self._wait_marker(WARM_MARKER, deadline)
        try:
            self.qmp.execute("stop", deadline=deadline)
        except QMPError as error:
            raise VMError(f"pausing the VM: {error}") from error
        self.paused = True

    def note_agent_exit(self, line: bytes) -> bool:
        """Whether line is the init's word that the agent ended (its status then kept)."""
        start = line.find(AGENT_EXIT_MARKER)
        if start < 0:
            return False
        status = line[start + len(AGENT_EXIT_MARKER) :].strip()
        self.agent_status = int(status) if status.isdigit() else -1
        return True

    def _agent_exited_early(self) -> bool:
        """Whether the init's whole "agent exited" line is among the bytes read so far."""
        start = self.pending.find(AGENT_EXIT_MARKER)
        end = self.pending.find(b"\n", start)
        return start >= 0 and end >= 0 and self.note_agent_exit(self.pending[start:end])

    def agent_ending(self) -> str:
        """How the agent ended, in words ("" while it runs)."""
        status = self.agent_status
        if status is None:
            return ""
        if status > 128:
            try:
                name = signal.Signals(status - 128).name
            except ValueError:
                name = f"signal {status - 128}"
            return f"the agent was killed by {name}"
        return f"the agent exited with status {status}"

    def _wait_marker(self, marker: bytes, deadline: float) -> None:
        while marker not in self.pending:
            if self._agent_exited_early():
                raise VMError(f"{self.agent_ending()}; {self.diagnosis()}")
            if not self._read_channel(deadline):
                if time.monotonic() >= deadline:
                    raise VMError(f"the VM did not answer in time; {self.diagnosis()}")
                raise VMError(f"qemu exited; {self.diagnosis()}")
        self.pending = self.pending.split(marker, 1)[1].split(b"\n", 1)[-1]

    def wait_ready(self, deadline: float) -> None:
        """Reads the channel until the guest's init says its agent waits for a job."""
        while READY_MARKER not in self.pending:
            if self._agent_exited_early():
                raise VMError(f"{self.agent_ending()} during boot; {self.diagnosis()}")
            if not self._read_channel(deadline):
                if time.monotonic() >= deadline:
                    raise VMError(f"the VM did not boot in time; {self.diagnosis()}")
                raise VMError(f"qemu exited during boot; {self.diagnosis()}")
        self.pending = self.pending.split(READY_MARKER, 1)[1].split(b"\n", 1)[-1]

    def save_snapshot(self, path: os.PathLike[str], deadline: float) -> None:
        """Stops the VM and writes its whole state to path (QMP migrate to a file)."""
        partial = f"{os.fspath(path)}.partial"
        try:
            self.qmp.execute("stop", deadline=deadline)
            capabilities = {"capabilities": self._capabilities()}
            self.qmp.execute("migrate-set-capabilities", capabilities, deadline)
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

    def drain_console(self) -> int:
        """Reads what the console has, keeping its end.

        qemu's UART writes the socket a byte at a time, so a few hundred unread bytes fill
        the socket buffer and then the guest waits on its console: read it whenever the
        guest runs (kernel warnings, the agent's stderr). Returns how many bytes it read.
        """
        read = 0
        if self.console is None:
            return read
        with contextlib.suppress(OSError):  # BlockingIOError: nothing more for now
            while chunk := self.console.recv(65536):
                read += len(chunk)
                self.console_bytes = (self.console_bytes + chunk)[-CONSOLE_TAIL_BYTES:]
        return read

    def console_tail(self) -> str:
        """The end of what the guest kernel, init and agent stderr wrote on the console."""
        self.drain_console()
        return self.console_bytes.decode("utf-8", "replace").strip()

    def settle_console(self, quiet_s: float = 0.1, at_most_s: float = 1.0) -> None:
        """Reads the console until it has been quiet for quiet_s: after the agent died, the
        init's kernel log is still leaving the slow UART when its "agent exited" line
        arrives on the channel."""
        if self.console is None:
            return
        until = time.monotonic() + at_most_s
        with selectors.DefaultSelector() as selector:
            selector.register(self.console, selectors.EVENT_READ)
            while (left := until - time.monotonic()) > 0 and selector.select(min(quiet_s, left)):
                if not self.drain_console():
                    return  # readable and empty: qemu is gone

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

    def kill(self, wait: bool = True) -> None:
        """Always safe to call, any number of times: qemu dead and reaped, fds closed.

        wait=False: qemu gets its SIGKILL now and stops at once, and a reaper thread waits
        for its exit (the kernel unmapping its guest RAM: ~5-10 ms, more on a busy host)
        and closes the fds, off the caller's path (a run's verdict is already read).
        """
        if self.proc is not None and not self.signalled:
            self.signalled = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        if not wait:
            _reaper.reap(self)
            return
        with self.kill_lock:  # the reaper's kill() and the caller's may meet
            if self.proc is not None:
                self.proc.wait()
            if self.snapshot_fd is not None:
                os.close(self.snapshot_fd)
                self.snapshot_fd = None
            for sock in (self.channel, self.console, self.monitor):
                if sock is not None:
                    sock.close()
            if self.stderr is not None:
                self.stderr.close()


class _Reaper:
    """One thread that finishes Machine.kill(wait=False): waits for each killed qemu and
    closes its fds. Started on first use; drained at exit."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Machine] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def reap(self, machine: Machine) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="bpflab-vm-reaper", daemon=True
                )
                self.thread.start()
        self.queue.put(machine)

    def _run(self) -> None:
        while True:
            machine = self.queue.get()
            try:
                machine.kill()
            except Exception:  # a reaper that died would leave zombies behind
                logger.exception("reaping a qemu process failed")
            finally:
                self.queue.task_done()

    def drain(self) -> None:
        """Waits until every machine handed over is reaped (at exit, and for tests)."""
        self.queue.join()


class _Launcher:
    """One thread per process that starts qemu for start_detached(); started on first use,
    and again in a forked child (threads do not survive a fork)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: queue.Queue[tuple[Machine, threading.Event, list[BaseException]]] | None
        self.queue = None
        self.pid = 0

    def start(self, machine: Machine) -> None:
        done = threading.Event()
        failed: list[BaseException] = []
        self._queue().put((machine, done, failed))
        done.wait()
        if failed:
            raise failed[0]

    def _queue(self) -> queue.Queue[tuple[Machine, threading.Event, list[BaseException]]]:
        with self.lock:
            if self.queue is None or self.pid != os.getpid():
                self.queue, self.pid = queue.Queue(), os.getpid()
                thread = threading.Thread(
                    target=self._run, args=(self.queue,), name="bpflab-vm-launcher", daemon=True
                )
                thread.start()
            return self.queue

    @staticmethod
    def _run(requests: queue.Queue[tuple[Machine, threading.Event, list[BaseException]]]) -> None:
        while True:
            machine, done, failed = requests.get()
            try:
                machine.start()
            except BaseException as error:  # handed to the caller, raised there
                failed.append(error)
            finally:
                done.set()


_launcher = _Launcher()
_reaper = _Reaper()
atexit.register(_reaper.drain)
reap_all = _reaper.drain


# qemu gets SIGKILL when the thread that started it dies (PR_SET_PDEATHSIG): a worker
# killed mid-run (a Celery hard time limit) must not leave a VM spinning. setpriv sets it
# in the child, so Popen can vfork: a preexec_fn makes Python fork, which copies the page
# tables of the whole (big) worker process, ~5-40 ms on the path of every run.
_SETPRIV = shutil.which("setpriv", path="/usr/bin:/bin")
DIE_WITH_PARENT = [_SETPRIV, "--pdeathsig", "KILL", "--"] if _SETPRIV else []


def _die_with_parent() -> None:
    """In qemu's child process before exec: SIGKILL when the thread that started it dies.

    A worker killed mid-run (a Celery hard time limit) must not leave a VM spinning.
    """
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
