"""A new agent's docker image leaves the older agent's image in place: a worker still on
the older agent (a rolling upgrade, another checkout sharing the daemon) may be about to
start a container from it. The operator's `prune` drops it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import docker.errors

from sandbox import docker_image
from tests.test_sandbox_docker import docker_backend as docker_backend  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parent.parent


def test_it_keeps_an_older_agents_image_until_the_operator_prunes(docker_backend) -> None:  # noqa: F811
    client = docker_backend.client()
    current = docker_image.image_files()
    older = docker_image.ImageFiles(agent=current.agent + b"\0older", busybox=current.busybox)
    older_reference = docker_image.ensure_image(client, older)
    try:
        reference = docker_image.ensure_image(client, current)

        assert client.images.get(older_reference).tags == [older_reference]
        pruned = subprocess.run(
            [sys.executable, "-m", "sandbox.docker_image", "prune"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert pruned.returncode == 0, pruned.stderr
        assert f"removed {older_reference}" in pruned.stdout
        assert older_reference not in [t for i in client.images.list() for t in i.tags]
        assert client.images.get(reference)
    finally:
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(older_reference)
