"""Builds the docker backend's image from local files: no registry, no Dockerfile.

The image holds only the static agent and busybox-static (for the trigger allow list:
/bin/true, /bin/ls, /bin/cat, /bin/echo, /bin/sleep, /bin/ping). It is made with
`docker import` of a tarball we write ourselves, tagged with a hash of its content, so
building is idempotent: the same agent and busybox give the same tag and nothing to do.

    python -m sandbox.docker_image build     # prints the tag
    python -m sandbox.docker_image prune     # also drops the tags of older agents
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox import build
from sandbox.job import TRIGGER_APPLETS

REPOSITORY = "bpflab-sandbox"
AGENT_PATH = "bpflab-agent"  # at the image root; the container's entrypoint
BUSYBOX = Path("/bin/busybox")
BUSYBOX_APPLETS = TRIGGER_APPLETS  # the trigger allow list
# Mount points the agent needs (tracefs, bpffs) and the usual empty top-level folders.
EMPTY_DIRS = ("bin", "dev", "proc", "sys", "tmp", "etc")
# Bump when the layout below changes, so an old image is never taken for a new one.
LAYOUT_VERSION = "1"
CHANGES = [f'ENTRYPOINT ["/{AGENT_PATH}"]', "WORKDIR /"]


class ImageError(RuntimeError):
    pass


@dataclass(frozen=True)
class ImageFiles:
    agent: bytes
    busybox: bytes

    @property
    def tag(self) -> str:
        digest = hashlib.sha256()
        for part in (
            LAYOUT_VERSION.encode(),
            json.dumps(CHANGES).encode(),
            self.agent,
            self.busybox,
        ):
            digest.update(hashlib.sha256(part).digest())
        return digest.hexdigest()[:16]

    @property
    def reference(self) -> str:
        return f"{REPOSITORY}:{self.tag}"


def image_files() -> ImageFiles:
    """The files the image is made of (building the static agent if it is stale)."""
    if not BUSYBOX.exists():
        raise ImageError(f"{BUSYBOX} is missing: apt-get install busybox-static")
    agent = build.agent_binary(static=True)
    return ImageFiles(agent=agent.read_bytes(), busybox=BUSYBOX.read_bytes())


def rootfs_tar(files: ImageFiles) -> bytes:
    """A deterministic tarball of the image's root filesystem."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in EMPTY_DIRS:
            tar.addfile(_entry(name, tarfile.DIRTYPE, 0o755))
        tar.addfile(
            _entry(AGENT_PATH, tarfile.REGTYPE, 0o755, len(files.agent)), io.BytesIO(files.agent)
        )
        busybox = _entry("bin/busybox", tarfile.REGTYPE, 0o755, len(files.busybox))
        tar.addfile(busybox, io.BytesIO(files.busybox))
        for applet in BUSYBOX_APPLETS:
            link = _entry(f"bin/{applet}", tarfile.SYMTYPE, 0o777)
            link.linkname = "busybox"
            tar.addfile(link)
    return buffer.getvalue()


def _entry(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.size = size
    info.mtime = 0  # reproducible
    return info


def ensure_image(client: Any, files: ImageFiles | None = None) -> str:
    """The image reference, importing the image first unless this exact one exists."""
    import docker.errors

    files = files or image_files()
    try:
        client.images.get(files.reference)
        return files.reference
    except docker.errors.ImageNotFound:
        pass
    client.api.import_image_from_data(
        rootfs_tar(files), repository=REPOSITORY, tag=files.tag, changes=CHANGES
    )
    client.images.get(files.reference)  # raises if the import did not produce it
    # Older tags stay: a worker still running the previous agent (a rolling upgrade, a
    # second checkout on this daemon) may be about to create a container from one. Each is
    # a few MB (agent + busybox); `prune` drops them when the operator says so.
    return files.reference


def remove_stale_images(client: Any, keep: str) -> list[str]:
    """Drops older bpflab-sandbox tags (each agent change makes one); an image a running
    container still uses is refused by the daemon and left for next time. Only on the
    operator's word (`python -m sandbox.docker_image prune`): see ensure_image."""
    removed = []
    for tag in list(stale_images(client, keep)):
        with contextlib.suppress(Exception):
            client.images.remove(tag)
            removed.append(tag)
    return removed


def stale_images(client: Any, keep: str) -> Iterable[str]:
    """Tags of older bpflab-sandbox images (a new agent makes a new tag)."""
    for image in client.images.list(name=REPOSITORY):
        for tag in image.tags:
            if tag != keep:
                yield tag


def main(argv: list[str]) -> int:
    import docker

    if argv[:1] not in (["build"], ["prune"]):
        print("usage: python -m sandbox.docker_image build|prune", file=sys.stderr)
        return 2
    client = docker.from_env(timeout=120)
    reference = ensure_image(client)
    if argv[0] == "prune":
        for tag in remove_stale_images(client, keep=reference):
            print(f"removed {tag}")
    print(reference)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
