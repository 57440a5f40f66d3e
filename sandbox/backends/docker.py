"""The docker backend: the static agent in a capability-limited, throwaway container.

The container shares the host kernel (a learner's program is loaded into it, as with
the local backend), but gets its own mount, PID and network namespaces: network_mode
"none" leaves it only `lo`, and the agent makes its own veth pair (bpfl0/bpfl1) inside.
The image is built from local files by sandbox.docker_image (no registry).

Trace isolation reuses the agent's tracefs instance with a kernel pid filter, but the
pids in the filter and in trace_pipe are host pids, while the agent, in its own PID
namespace, only knows it is pid 1. Rather than share the host PID namespace
(pid_mode="host" would let the container see, and as uid 0 signal, every root process
on the host), the backend sets the filter itself: it creates the instance, starts the
container, reads the agent's host pid from `State.Pid` (the agent is the container's
init: init=False), writes it to `set_event_pid` with `event-fork` on (so trigger
commands are included), and only then sends the job. The agent enables the
bpf_trace_printk event after it has read the job, so no line arrives before the filter
is in place; it runs with `--no-pid-filter` so it leaves our filter alone.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sandbox import docker_image
from sandbox.backends.base import (
    Backend,
    EventCallback,
    EventStream,
    GlobalHooksBusy,
    LineSplitter,
    feed_end,
    mount_if_missing,
    trace_lock,
)
from sandbox.backends.local import TRACEFS, remove_trace_instance
from sandbox.job import Job, Result, RunControl
from sandbox.wire import encode_job

INSTANCE_PREFIX = "bpflab-docker-"
# Docker 20.10 (Debian 12) does not know CAP_BPF or CAP_PERFMON, so bpf() needs
# SYS_ADMIN (which also lets the agent mount tracefs); NET_ADMIN makes the veth pair and
# attaches XDP/tc; NET_RAW sends the `traffic` frames and lets /bin/ping work.
CAPABILITIES = ["SYS_ADMIN", "NET_ADMIN", "NET_RAW"]
# Docker's default seccomp profile stays on: it allows bpf() and perf_event_open() once
# SYS_ADMIN is granted. No AppArmor profile may stop the agent's tracefs mount.
# --privileged is never used.
SECURITY_OPTIONS = ["apparmor=unconfined", "no-new-privileges"]
MEMORY_LIMIT = "256m"
PIDS_LIMIT = 64
STDOUT, STDERR = 1, 2
REAP_EVERY_S = 60.0
STALE_CREATED_S = 60.0
_last_reap = -REAP_EVERY_S
STDERR_TAIL_BYTES = 4096


class DockerBackend(Backend):
    name = "docker"

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            import docker

            if self.base_url:
                self._client = docker.DockerClient(base_url=self.base_url, timeout=30)
            else:
                self._client = docker.from_env(timeout=30)
        return self._client

    def available(self) -> tuple[bool, str]:
        try:
            import docker  # noqa: F401
        except ImportError:
            return False, "the docker Python package is not installed"
        if os.geteuid() != 0:
            return False, "the docker backend writes the host's tracefs pid filter: needs root"
        if not docker_image.BUSYBOX.exists():
            return False, f"{docker_image.BUSYBOX} is missing (busybox-static): no image to build"
        try:
            version = self.client().version()
        except Exception as error:  # any failure to reach the daemon says the same thing
            self._client = None
            where = self.base_url or os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
            return False, f"no Docker daemon answers at {where}: {error}"
        return True, f"Docker {version.get('Version', '?')}: one container per run"

    def run(
        self, job: Job, on_event: EventCallback | None = None, control: RunControl | None = None
    ) -> Result:
        job.validate()
        # Every run reads its trace instance: shared lock, or exclusive while it may
        # have a tracepoint program attached (base.TraceLock says why).
        lock = trace_lock(job, reads_trace=True)
        assert lock is not None
        try:
            with lock:
                return self._run(job, on_event, control)
        except GlobalHooksBusy as busy:
            stream = EventStream(job.limits, on_event)
            stream.fail(str(busy))
            return stream.result()

    def _run(
        self, job: Job, on_event: EventCallback | None, control: RunControl | None = None
    ) -> Result:
        stream = EventStream(job.limits, on_event)
        stream.emit({"event": "stage", "stage": "booting"})
        deadline = stream.started + job.limits.wall_s
        instance = f"{INSTANCE_PREFIX}{uuid.uuid4().hex[:12]}"
        container = None
        try:
            image = docker_image.ensure_image(self.client())
            reap_stale(self.client())
            # The container first, then its instance (same name): an instance without a
            # container is then always a leftover (see reap_stale).
            container = self._create(image, instance)
            _prepare_trace_instance(instance)
            _run_container(container, job, instance, stream, deadline, control)
        except Exception as error:  # the daemon or the host failed us, not the learner
            stream.fail(f"docker backend: {error}")
        finally:
            if container is not None:
                _remove(container)
            remove_trace_instance(instance)
        return stream.result()

    def _create(self, image: str, instance: str) -> Any:
        return self.client().containers.create(
            image,
            command=["--trace-instance", instance, "--no-pid-filter"],
            stdin_open=True,
            init=False,  # the agent must be the container's pid 1: see State.Pid above
            network_mode="none",
            cap_drop=["ALL"],
            cap_add=CAPABILITIES,
            security_opt=SECURITY_OPTIONS,
            read_only=True,
            # /proc/sys is read-only inside, so the agent cannot turn IPv6 off on its veth
            # as it does on the host; without this, IPv6 router solicitations and MLD
            # reports would reach an attached XDP program and print lines of their own.
            sysctls={
                "net.ipv6.conf.all.disable_ipv6": "1",
                "net.ipv6.conf.default.disable_ipv6": "1",
            },
            log_config={"type": "none"},  # events are streamed; nothing to keep on disk
            mem_limit=MEMORY_LIMIT,
            pids_limit=PIDS_LIMIT,
            labels={"bpflab": "sandbox-run"},
            # With stdin closing when we detach (StdinOnce, the SDK's default here), a
            # worker that dies mid-run leaves nothing: the agent sees EOF or finishes its
            # job, exits, removes its trace instance, and the daemon removes the container.
            auto_remove=True,
            name=instance,
        )


def reap_stale(client: Any, stale_after_s: float = STALE_CREATED_S, force: bool = False) -> None:
    """Removes what a worker killed between create and start left behind: containers
    never started (auto_remove only acts on exit) and trace instances whose container
    is gone. At most once a minute per process unless forced."""
    global _last_reap
    now = time.monotonic()
    if not force and now - _last_reap < REAP_EVERY_S:
        return
    _last_reap = now
    # Instances before containers: a run creates its container before its instance, so
    # a live run's instance listed here has its container in the list taken after.
    instances = [path.name for path in (TRACEFS / "instances").glob(f"{INSTANCE_PREFIX}*")]
    containers = client.containers.list(all=True, filters={"label": "bpflab=sandbox-run"})
    for container in containers:
        if container.status == "created" and _age_s(container) >= stale_after_s:
            _remove(container)
    names = {container.name for container in containers}
    for name in instances:
        if name not in names:
            remove_trace_instance(name)


def _age_s(container: Any) -> float:
    created = str(container.attrs.get("Created", ""))
    try:
        # Docker gives nanoseconds ("2026-11-25T02:40:01.123456789Z"); keep microseconds.
        stamp = datetime.fromisoformat(created[:26].rstrip("Z") + "+00:00")
    except ValueError:
        return 0.0
    return (datetime.now(UTC) - stamp).total_seconds()


def _run_container(
    container: Any,
    job: Job,
    instance: str,
    stream: EventStream,
    deadline: float,
    control: RunControl | None = None,
) -> None:
    attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
    sock: socket.socket = attached._sock  # the raw socket under the SDK's wrapper
    try:
        container.start()
        container.reload()
        _filter_trace_to(instance, int(container.attrs["State"]["Pid"]))
        sock.sendall(encode_job(job))
        if control is not None:
            control.connect(sock.sendall)  # stdin stays open: a stop line may follow
        stderr_tail = _pump(sock, stream, deadline)
        if stream.done is None and time.monotonic() >= deadline:
            _kill(container)
            # the learner's program ran past its time (a verdict), not a platform fault
            stream.time_limit(job, job.limits.wall_s)
        elif stream.done is None:
            status = _exit_status(container, deadline)
            tail = stderr_tail.decode("utf-8", "replace").strip()[-500:]
            stream.fail(
                f"the agent exited (status {status}) without finishing"
                + (f": {tail}" if tail else "")
            )
    finally:
        with contextlib.suppress(OSError):
            sock.close()
        with contextlib.suppress(Exception):
            attached.close()


def _prepare_trace_instance(instance: str) -> None:
    mount_if_missing("tracefs", str(TRACEFS))
    path = TRACEFS / "instances" / instance
    path.mkdir()
    (path / "options/event-fork").write_text("1")


def _filter_trace_to(instance: str, host_pid: int) -> None:
    if host_pid <= 0:
        raise RuntimeError("the container stopped before it could run the job")
    (TRACEFS / "instances" / instance / "set_event_pid").write_text(str(host_pid))


def _pump(sock: socket.socket, stream: EventStream, deadline: float) -> bytes:
    """Feeds the agent's stdout lines to the stream until done, EOF or the deadline.

    The attach stream is multiplexed (no tty): frames of an 8-byte header (stream
    number, 3 zero bytes, big-endian length) and a payload. Returns stderr's tail.
    """
    pending = b""  # bytes of frames not yet complete
    lines = LineSplitter()  # stdout
    stderr_tail = b""
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        while stream.done is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if not selector.select(timeout=remaining):
                continue
            chunk = sock.recv(65536)
            if not chunk:
                break
            pending += chunk
            while len(pending) >= 8:
                kind, size = struct.unpack(">BxxxL", pending[:8])
                if len(pending) < 8 + size:
                    break
                payload, pending = pending[8 : 8 + size], pending[8 + size :]
                if kind == STDERR:
                    stderr_tail = (stderr_tail + payload)[-STDERR_TAIL_BYTES:]
                    continue
                for text in lines.feed(payload):
                    stream.feed(text)
    feed_end(lines, stream)
    return stderr_tail


def _exit_status(container: Any, deadline: float) -> int | str:
    try:
        outcome = container.wait(timeout=max(1.0, deadline - time.monotonic()))
        return int(outcome.get("StatusCode", -1))
    except Exception:
        return "unknown"


def _kill(container: Any) -> None:
    with contextlib.suppress(Exception):
        container.kill()


def _remove(container: Any) -> None:
    """Always: a killed, crashed or finished container never outlives its run."""
    import docker.errors

    for attempt in range(3):
        try:
            container.remove(force=True)
            return
        except docker.errors.NotFound:
            return  # auto_remove was first
        except Exception:
            time.sleep(0.1 * (attempt + 1))  # the daemon is busy removing it; ask again
