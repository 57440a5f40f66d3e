"""Starting the services bpflab needs on one machine: Redis, a Celery worker, the ASGI server.

Used by `manage.py runstack` (behind `make run`), `manage.py services up` (behind `make test`)
and the integration tests, so all three start things the same way.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlparse

from django.conf import settings

REPO = Path(__file__).resolve().parent.parent


def redis_address() -> tuple[str, int]:
    url = urlparse(settings.REDIS_URL)
    return url.hostname or "127.0.0.1", url.port or 6379


def database_url() -> str:
    """The database this process uses now, as a DATABASE_URL for a child process (under
    pytest that is the test database, whose name differs from the configured one)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(str(db['USER']))}:{quote(str(db['PASSWORD']))}@"
    return f"postgres://{credentials}{db['HOST']}:{db['PORT']}/{db['NAME']}"


def free_port() -> int:
    """A TCP port nothing listens on now, for a server started by tests or the bench."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_listening(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def start_process(
    argv: list[str], log_path: Path | None = None, env: dict | None = None
) -> subprocess.Popen:
    """Starts a child in its own process group, so stopping it stops everything it forked."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        return subprocess.Popen(
            argv,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]  # the child has its own copy


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stops the child and everything it forked (its process group): SIGTERM, then SIGKILL
    for what is left after `timeout`. Returns once none of them is left, not only the child:
    a Celery worker's pool process outlives its parent for a moment, and with it its
    database connection (PostgreSQL then refuses to drop the test database)."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        if wait_until(lambda: group_gone(proc), wait, interval=0.05):
            break
    proc.poll()


def group_gone(proc: subprocess.Popen) -> bool:
    proc.poll()  # reaped, the child no longer counts as a member of its group
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return True
    return False


def redis_command(port: int, data_dir: Path | None = None) -> list[str]:
    """Append-only persistence (fsync every second): a restarted Redis still has its queued
    messages and the channel layer's groups, so open pages keep receiving."""
    data_dir = data_dir or settings.VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        shutil.which("redis-server") or "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--daemonize",
        "no",
    ]


def celery_command(concurrency: int = 2, hostname: str = "worker@%h") -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "web",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--hostname",
        hostname,
        "--without-gossip",
        "--without-mingle",
    ]


def web_command(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> list[str]:
    """uvicorn (uvloop + httptools) serves both HTTP and the websockets; one process a core."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "web.asgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "5",
    ]


def ensure_kernel_filesystems() -> None:
    """The sandbox's local backend needs bpffs and tracefs; a fresh machine may lack the mounts."""
    from sandbox.backends.base import mount_if_missing

    if os.geteuid() != 0:
        return  # only root can mount; the sandbox's own availability check says why
    mount_if_missing("tracefs", "/sys/kernel/tracing")
    mount_if_missing("bpf", "/sys/fs/bpf")


def docker_answers() -> bool:
    if not shutil.which("docker"):
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    return probe.returncode == 0


def ensure_docker(log_path: Path) -> str:
    """Starts Debian's dockerd in the background when none answers; says what happened."""
    if docker_answers():
        return "docker daemon answers"
    if not shutil.which("dockerd"):
        return "dockerd is not installed"
    start_process(["dockerd"], log_path)
    if wait_until(docker_answers, timeout=30, interval=1.0):
        return "started dockerd"
    return f"dockerd did not come up; see {log_path}"
