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
background thread keeps N VMs restored, warmed up (the agent serves a warm-up job, so this
qemu has translated a job's code) and paused, so a warm run only has to resume one
(WarmPool): each pooled VM still serves exactly one run and is killed after it. Where a
run's time goes: README.md, "Where a microVM run's time goes".

The first event of a run is `{"event": "stage", "stage": "booting", "boot": "snapshot" |
"cold", "vm_pid": <qemu pid>}`. Then the job goes to the agent over the job channel and
its events stream back, each passed to `on_event` as soon as its line is complete.

Plumbing (sandbox/vmboot.py, where the VM is booted): the job channel (a virtio serial port, /dev/vport0p1 in the guest), the
kernel console (ttyS0) and the QMP monitor are each one end of a socketpair handed to
qemu as an open fd (`-chardev socket,fd=N`), so no socket file is ever created; qemu's
stderr goes to an unlinked temp file. Teardown is always SIGKILL to qemu's process group
(it is its own session), so nothing of a run outlives it; it is sent as soon as the verdict
is read, and the exit is reaped on a thread off the run's path.

Framing: the channel carries nothing but the guest init's "@@bpflab@@ ready" line (read
before the snapshot is saved, or before a cold run's job is sent), the agent's JSON lines,
and once the agent has ended the init's "@@bpflab@@ agent exited STATUS" (the VM never
reboots by itself: a reboot would lose the agent's last lines still queued in qemu while
the host was not reading); kernel messages go to the console, which is only read to
explain a failure. Still, the host takes from each line what starts at `{"event"`, and
EventStream drops anything that is not an event, so stray bytes cannot derail a run.

The image (kernel, initramfs, snapshot) comes from `python -m sandbox image build`
(sandbox/image.py). `available()` says why not when it is missing, stale or qemu is
absent.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import logging
import os
import selectors
import shutil
import threading
import time
from pathlib import Path
from typing import Literal

from sandbox import build
from sandbox import image as vm_image
from sandbox.backends.base import Backend, EventCallback, EventStream, LineSplitter
from sandbox.job import Job, Result, RunControl
from sandbox.vmboot import Machine, VMError
from sandbox.wire import encode_job

logger = logging.getLogger(__name__)
Mode = Literal["warm", "cold"]
POOL_ENV = "BPFLAB_MICROVM_POOL"
POOL_RESTORE_TIMEOUT_S = 30.0
# A pool restores its next VM once its runs are over, or this long after the last began.
REFILL_DEFER_S = 2.0
# Whether a pooled VM warms up (Machine.warm) before it waits, paused (measured by bench)
POOL_WARM = os.environ.get("BPFLAB_MICROVM_POOL_WARM", "1") == "1"
# Whether a VM restored while the program compiles (prepare()) also warms up (Machine.warm)
WARM_PREPARED = os.environ.get("BPFLAB_MICROVM_WARM_PREPARED", "0") == "1"
# Under TCG the guest's clock follows the host's: while the host does not schedule the
# vCPU, the task on it still "spends" guest CPU time. On a busy host a correct program's
# load then ran past the verifier's CPU limit (2 s), so without KVM it is this many
# times longer (the wall limit still bounds the whole job).
TCG_VERIFIER_CPU_FACTOR = max(1, int(os.environ.get("BPFLAB_MICROVM_TCG_CPU_FACTOR", "4")))
EVENT_START = b'{"event"'


def for_accel(job: Job, image: vm_image.Image) -> Job:
    """The job as this image's VM runs it: the verifier's CPU limit in guest time."""
    if image.accel == "kvm":
        return job
    limits = dataclasses.replace(
        job.limits, verifier_cpu_s=job.limits.verifier_cpu_s * TCG_VERIFIER_CPU_FACTOR
    )
    return dataclasses.replace(job, limits=limits)


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
        self._prepared: list[_Prepared] = []
        self._prepared_lock = threading.Lock()
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

    def kernel_headers(self) -> Path | None:
        image = self.image or vm_image.current_image(kernel=self.kernel)
        return image.kernel_headers if image is not None else None

    def prepare(self) -> None:
        """Starts restoring the next run's VM now, paused, in the background: the grader
        calls it before compiling, so the restore overlaps the compile and run() only has
        to resume the VM. Without a snapshot, or with a pool (it has VMs ready), a no-op."""
        image = self.image or vm_image.current_image(kernel=self.kernel)
        if image is None or self.mode != "warm" or not image.has_snapshot() or self.pool_size:
            return
        prepared = _Prepared(image)
        with self._prepared_lock:
            self._prepared.append(prepared)

    def discard(self) -> None:
        """Kills the VMs prepare() restored and no run took (the compile failed)."""
        with self._prepared_lock:
            prepared, self._prepared = self._prepared, []
        for one in prepared:
            one.discard()

    def _take_prepared(self, image: vm_image.Image, deadline: float) -> Machine | None:
        with self._prepared_lock:
            prepared = self._prepared.pop(0) if self._prepared else None
        if prepared is None:
            return None
        if prepared.image.directory != image.directory:
            prepared.discard()
            return None
        return prepared.machine_when_ready(deadline)

    def run(
        self, job: Job, on_event: EventCallback | None = None, control: RunControl | None = None
    ) -> Result:
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
        pooled = self._take_prepared(image, deadline) if restore else None
        pool = None  # the pool asked for a VM: told when the run is over
        if pooled is None and restore and self.pool_size:
            pool = warm_pool(image, self.pool_size)
            pooled = pool.take()
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
                if machine.paused:  # else it is warming up: the job interrupts that
                    machine.resume(deadline)
            elif restore:
                phase = "restoring the snapshot"
                machine.restore(deadline)
            else:
                phase = "booting"
                machine.wait_ready(deadline)
            phase = RUNNING_THE_JOB
            _exchange(machine, encode_job(for_accel(job, image)), stream, deadline, control)
            if stream.done is None and time.monotonic() >= deadline:
                # the learner's program ran too long (the VM boot was done): a verdict
                stream.time_limit(job, job.limits.wall_s)
            elif stream.done is None:
                _fail_unfinished(machine, stream, deadline, job.limits.wall_s, phase)
        except VMError as error:
            _fail_unfinished(machine, stream, deadline, job.limits.wall_s, phase, error)
        finally:
            # the verdict is read: the VM stops now, its exit is reaped off the run's path
            machine.kill(wait=False)
            if pool is not None:
                pool.run_ended()
        return stream.result()


RUNNING_THE_JOB = "running the job"


class _Prepared:
    """One VM being started and restored (paused) for the next run, all on a thread of its
    own: prepare() returns at once, nothing of it is on the compile's path. qemu is started
    by the process's launcher thread (Machine.start_detached: a qemu dies with the thread
    that started it, and this one ends before the run)."""

    def __init__(self, image: vm_image.Image) -> None:
        self.image = image
        self.machine = Machine(image, restore=True)
        self.error: VMError | None = None
        self.thread = threading.Thread(target=self._restore, name="bpflab-vm-prepare", daemon=True)
        self.thread.start()

    def _restore(self) -> None:
        try:
            self.machine.start_detached()
            deadline = time.monotonic() + POOL_RESTORE_TIMEOUT_S
            if WARM_PREPARED:
                self.machine.restore(deadline)
                self.machine.begin_warm_up()
            else:
                self.machine.restore(deadline, resume=False)
        except VMError as error:
            self.error = error

    def machine_when_ready(self, deadline: float) -> Machine | None:
        """The restored VM, or None (killed) when its restore failed or is not done in time:
        the run then restores one of its own."""
        self.thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.thread.is_alive() or self.error is not None or self.machine.exited():
            if self.error is not None:
                logger.warning("microvm: a prepared restore failed: %s", self.error)
            self.discard()
            return None
        return self.machine

    def discard(self) -> None:
        self.thread.join(timeout=POOL_RESTORE_TIMEOUT_S)
        self.machine.kill()


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
        self.running = 0  # runs that asked the pool for a VM and are not over yet
        self.last_start = 0.0
        # started by the first take() (or wait_filled()): the first run counts as running
        # before the pool restores anything
        self.thread = threading.Thread(target=self._fill, name="bpflab-vm-pool", daemon=True)

    def take(self) -> Machine | None:
        """A restored, paused VM, or None when none is ready (the run restores its own).
        The caller calls run_ended() when its run is over, whether it got a VM or not."""
        with self.cond:
            self.running += 1
            self.last_start = time.monotonic()
            self._start()
            while self.ready:
                machine = self.ready.pop(0)
                self.cond.notify()
                if not machine.exited():
                    return machine
                machine.kill()
        return None

    def run_ended(self) -> None:
        with self.cond:
            self.running -= 1
            self.cond.notify_all()

    def _refill_now(self) -> bool:
        """Whether to restore the next VM now: the pool is short, and no run of ours is
        going on (restoring and warming up a VM is ~0.3 s of CPU on a machine with few
        cores: the learner's run comes first), or the last one began REFILL_DEFER_S ago (a
        long run, or runs back to back, must not leave the pool empty)."""
        if len(self.ready) >= self.size:
            return False
        return not self.running or time.monotonic() - self.last_start >= REFILL_DEFER_S

    def wait_filled(self, timeout_s: float) -> bool:
        """Waits until the pool holds its size of VMs (for tests and warm-up)."""
        with self.cond:
            self._start()
            return self.cond.wait_for(lambda: len(self.ready) >= self.size, timeout=timeout_s)

    def _start(self) -> None:
        if self.thread.ident is None and not self.closed:
            self.thread.start()

    def _fill(self) -> None:
        failures = 0
        while True:
            with self.cond:
                while not self.closed and not self._refill_now():
                    # a run may be going on: look again once it may be REFILL_DEFER_S old
                    self.cond.wait(timeout=REFILL_DEFER_S / 4 if self.running else None)
                if self.closed:
                    return
            machine = Machine(self.image, restore=True)
            try:
                machine.start()
                deadline = time.monotonic() + POOL_RESTORE_TIMEOUT_S
                if POOL_WARM:
                    machine.restore(deadline)
                    machine.warm(deadline)  # runs once more, then pauses: see Machine.warm
                else:
                    machine.restore(deadline, resume=False)
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
        if self.thread.ident is not None:
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


def _fail_unfinished(
    machine: Machine,
    stream: EventStream,
    deadline: float,
    wall_s: float,
    phase: str,
    error: VMError | None = None,
) -> None:
    """Ends a run the VM did not finish; the full story goes to the log, for operators."""
    if machine.agent_status is not None and machine.agent_status > 128:
        machine.settle_console()  # the guest's kernel log on how the agent died
    diagnosis = machine.diagnosis()
    if time.monotonic() >= deadline:
        message = f"wall limit of {wall_s:g} s exceeded while {phase}; the VM was killed"
    elif error is not None:
        message = f"microvm: {error}"
    elif machine.agent_status is not None:
        message = f"{machine.agent_ending()} while {phase}; {diagnosis}"
    else:
        message = f"the VM stopped while {phase}; {diagnosis}"
    details = "" if diagnosis in message else f"; {diagnosis}"
    logger.warning("microvm run (qemu pid %s) failed: %s%s", machine.pid, message, details)
    stream.fail(message)


def _exchange(
    machine: Machine,
    payload: bytes,
    stream: EventStream,
    deadline: float,
    control: RunControl | None = None,
) -> None:
    """Writes the job to the channel while streaming events back, until done/EOF/deadline.

    Both directions in one loop: a big job may not fit the socket buffer before the guest
    starts reading it, and the agent may already answer while we are still writing.
    """
    channel, console = machine.channel, machine.console
    assert channel is not None and console is not None
    channel.setblocking(False)
    pending = memoryview(payload)
    lines = LineSplitter()
    _feed_events(lines.feed(machine.pending), stream, machine)
    machine.pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(channel, selectors.EVENT_READ | selectors.EVENT_WRITE)
        selector.register(console, selectors.EVENT_READ)
        while stream.done is None and machine.agent_status is None:
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
                        if control is not None:  # a stop line may follow the job
                            control.connect(channel.sendall)
                if mask & selectors.EVENT_READ:
                    try:
                        chunk = channel.recv(65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        last = lines.end()
                        _feed_events([last] if last is not None else [], stream, machine)
                        return
                    _feed_events(lines.feed(chunk), stream, machine)


def _feed_events(lines: list[bytes], stream: EventStream, machine: Machine) -> None:
    """Feeds each line's event part (from `{"event"` on) to the stream, until done or the
    guest init's line saying that the agent ended (nothing of the agent's follows it)."""
    for line in lines:
        if stream.done is not None or machine.agent_status is not None:
            return
        start = line.find(EVENT_START)
        if start >= 0:
            stream.feed(line[start:].rstrip(b"\r"))
        else:
            machine.note_agent_exit(line)
