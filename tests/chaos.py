"""The chaos suite's parts: a Redis of its own (killing it harms no one else on the machine),
real Celery workers on it that are killed with SIGKILL, an ASGI server, and this test
process pointed at them, so `labs.submissions.submit` runs as it does in the site.

Workers get a short lease (5 s) and sweep every second, so a dead worker's runs are taken
over within seconds. Any worker of the session's live stack stops consuming meanwhile:
it shares the test database, and must not take the runs the scenario is about.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from web import services

LEASE_S = 5
SOLUTION_MARK = "Hello, eBPF!"


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


@dataclass
class Redis:
    port: int
    data_dir: Path
    log: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = services.redis_command(self.port, self.data_dir)
        self.proc = services.start_process(command, self.log)
        wait_for(lambda: services.is_listening("127.0.0.1", self.port), 15, "redis to listen")

    def kill(self) -> None:
        """kill -9: no shutdown save; what it keeps is what its append-only file has."""
        _kill9(self.proc)
        wait_for(lambda: not services.is_listening("127.0.0.1", self.port), 5, "redis to die")


@dataclass
class Worker:
    name: str
    log: Path
    proc: subprocess.Popen

    def ready(self) -> bool:
        return self.log.exists() and f"{self.name} ready." in self.log.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 of the worker's whole process group: main process and pool processes."""
        _kill9(self.proc)


def _tail(path: Path, chars: int) -> str:
    return path.read_text(errors="replace")[-chars:]


def _kill9(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@dataclass
class ChaosSite:
    redis: Redis
    queue: str
    log_dir: Path
    workers: list[Worker] = field(default_factory=list)
    others: list[subprocess.Popen] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "CELERY_QUEUE": self.queue,
            "DATABASE_URL": services.database_url(),
            "REDIS_URL": self.redis.url,
            "SANDBOX_BACKEND": "local",
            "DEBUG": "true",
            "RUN_LEASE_S": str(LEASE_S),
            "RUN_SWEEP_EVERY_S": "1",
            "RUN_REDISPATCH_AFTER_S": "2",
            **extra,
        }

    def start_worker(self, concurrency: int = 2, wait: bool = True, **env: str) -> Worker:
        name = f"chaos-{uuid.uuid4().hex[:6]}@localhost"
        log = self.log_dir / f"{name}.log"
        command = services.celery_command(concurrency=concurrency, hostname=name)
        worker = Worker(name, log, services.start_process(command, log, self.env(**env)))
        self.workers.append(worker)
        if wait:
            wait_for(worker.ready, 60, f"worker {name} to be ready ({log})", interval=0.2)
        return worker

    def start_web(self) -> tuple[str, str]:
        port = services.free_port()
        command = services.web_command(port=port)
        self.others.append(services.start_process(command, self.log_dir / "web.log", self.env()))
        wait_for(lambda: services.is_listening("127.0.0.1", port), 30, "the web server")
        return f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"

    def logs(self, chars: int = 60_000) -> list[tuple[str, str]]:
        """The tail of each process's log (workers, Redis, web server): a failed scenario's
        report shows them, so a failure seen once explains itself."""
        paths = [worker.log for worker in self.workers] + [self.redis.log]
        paths += sorted(self.log_dir.glob("web*.log"))
        return [(path.name, _tail(path, chars)) for path in paths if path.exists()]

    def stop(self) -> None:
        for worker in self.workers:
            services.stop_process(worker.proc, timeout=5)
        for proc in self.others:
            services.stop_process(proc, timeout=5)
        if self.redis.proc is not None:
            services.stop_process(self.redis.proc, timeout=5)


@contextlib.contextmanager
def chaos_site(tmp_path: Path) -> Iterator[ChaosSite]:
    redis = Redis(services.free_port(), tmp_path / "redis", tmp_path / "redis.log")
    redis.start()
    site = ChaosSite(redis, f"bpflab-chaos-{uuid.uuid4().hex[:8]}", tmp_path)
    try:
        with _session_workers_paused(), _this_process_on(redis.url, site.queue):
            yield site
    finally:
        site.stop()


@contextlib.contextmanager
def _session_workers_paused() -> Iterator[None]:
    """The live stack's worker (same database, other Redis) stops taking runs meanwhile."""
    from web.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    replies = app.control.cancel_consumer(queue, reply=True, timeout=1.0) or []
    names = [name for reply in replies for name in reply]
    try:
        yield
    finally:
        if names:
            app.control.add_consumer(queue, destination=names, reply=True, timeout=1.0)


@contextlib.contextmanager
def _this_process_on(redis_url: str, queue: str) -> Iterator[None]:
    """submit(), its wake-ups and the channel layer of this process use the chaos Redis."""
    from web.celery import app

    saved = (app.conf.broker_url, app.conf.task_default_queue, settings.CHANNEL_LAYERS)
    layers = {
        "default": {
            **settings.CHANNEL_LAYERS["default"],
            "CONFIG": {
                **settings.CHANNEL_LAYERS["default"]["CONFIG"],
                "hosts": [{"address": redis_url, "socket_timeout": 30}],
            },
        }
    }
    app.conf.broker_url, app.conf.task_default_queue = redis_url, queue
    settings.CHANNEL_LAYERS = layers
    _forget_connections(app)
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_default_queue, settings.CHANNEL_LAYERS = saved
        _forget_connections(app)


def _forget_connections(app: Any) -> None:
    """Pooled broker connections and channel layers were made for the other Redis (kombu
    keeps its producer pools by address: the other Redis's stays open for later)."""
    from channels.layers import channel_layers

    app._pool = None
    app.amqp._producer_pool = None
    channel_layers.backends.clear()


# --- learners and their programs ----------------------------------------------------------


def learners(count: int, prefix: str = "learner") -> list[Any]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return [
        users.create_user(f"{prefix}{i}", f"{prefix}{i}@example.org", "x") for i in range(count)
    ]


def program(lab: Any, passes: bool) -> str:
    """The lab's solution, or one that compiles and loads but prints the wrong line."""
    return lab.solution if passes else lab.solution.replace(SOLUTION_MARK, "Hello, world!")


def finished(runs: list[Any]) -> bool:
    from labs.models import Run

    ids = [run.pk for run in runs]
    return not Run.objects.filter(pk__in=ids).exclude(status__in=Run.FINISHED).exists()


def outcomes(runs: list[Any]) -> list[tuple[str, bool | None]]:
    from labs.models import Run

    by_id = {run.pk: run for run in Run.objects.filter(pk__in=[r.pk for r in runs])}
    return [(by_id[r.pk].status, by_id[r.pk].passed) for r in runs]
