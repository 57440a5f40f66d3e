"""`python -m sandbox check --backend NAME [--run]`: the worker's health check. It answers 0
only when the backend can run here, and says why not, run included: a host that looks fine
but cannot load a program fails it too."""

from __future__ import annotations

import shutil
import subprocess
import sys

from sandbox.apt import REPO

# What a container without the capabilities the sandbox needs still has as root.
DROPPED = "-sys_admin,-bpf,-perfmon,-net_admin"


def check(*args: str, prefix: tuple[str, ...] = (), env: dict | None = None):  # type: ignore[no-untyped-def]
    argv = [*prefix, sys.executable, "-m", "sandbox", "check", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)


def test_it_passes_when_a_real_run_on_the_backend_drops_the_packet() -> None:
    proc = check("--backend", "local", "--run")

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("local: host kernel") and "a check run took" in proc.stdout


def test_it_fails_loudly_when_the_host_cannot_run_a_program_although_it_looks_ready() -> None:
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is missing"

    looks = check("--backend", "local", prefix=(setpriv, f"--bounding-set={DROPPED}"))
    runs = check("--backend", "local", "--run", prefix=(setpriv, f"--bounding-set={DROPPED}"))

    assert looks.returncode == 0, "without --run the backend's own answer is all there is"
    assert runs.returncode == 1
    assert runs.stderr.startswith("local: ") and "Operation not permitted" in runs.stderr


def test_it_fails_when_the_backend_is_not_there() -> None:
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}

    proc = check("--backend", "docker", "--run", env=env)

    assert proc.returncode == 1
    assert proc.stderr.startswith("docker: no Docker daemon answers at unix:///nonexistent")
