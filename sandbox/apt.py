"""Debian packages from other suites (trixie, sid, backports...) through an apt configuration
private to bpflab, pinned by a committed lock file.

The host's apt sources and state are never used nor written: each lock file gets its own
configuration under var/apt/<lock name>/ (sources.list, package lists, cache, an empty dpkg
status), and apt is pointed at it with `-o Dir::...` options. apt checks the archive's
signatures with Debian's keyring (package debian-archive-keyring); we then check each .deb
against the SHA256 in the lock, so a download is the exact file that was reviewed.

A lock file is JSON:

    {"packages": [{"name": "docker-compose", "version": "2.26.1-4", "suite": "trixie",
                   "architecture": "amd64", "sha256": "4768..."}]}

    python -m sandbox.apt fetch LOCK DIR    # downloads (or reuses) each .deb into DIR

From Python: `fetch(Lock.read(path), into)` returns the checked .deb paths, `unpack(deb, dir)`
extracts one without installing it.
    python -m sandbox.apt show LOCK         # what the archive offers now, to update a lock

DEBIAN_MIRROR overrides the archive (default http://deb.debian.org/debian).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.getenv("BPFLAB_VAR_DIR", str(REPO / "var")))
DEFAULT_MIRROR = "http://deb.debian.org/debian"
KEYRING = Path("/usr/share/keyrings/debian-archive-keyring.gpg")


class AptError(RuntimeError):
    pass


@dataclass(frozen=True)
class LockedPackage:
    name: str
    version: str
    suite: str
    sha256: str
    architecture: str = "amd64"

    @property
    def filename(self) -> str:
        # apt-get download's own naming: an epoch's ':' becomes "%3a".
        return f"{self.name}_{self.version.replace(':', '%3a')}_{self.architecture}.deb"


@dataclass(frozen=True)
class Lock:
    name: str
    packages: tuple[LockedPackage, ...]

    @classmethod
    def read(cls, path: Path) -> Lock:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            packages = tuple(LockedPackage(**entry) for entry in data["packages"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AptError(f"{path}: not a package lock ({error})") from None
        return cls(name=path.name.split(".")[0], packages=packages)

    @property
    def suites(self) -> list[str]:
        return sorted({package.suite for package in self.packages})


class PrivateApt:
    """apt-get and apt-cache on a configuration of their own under `root`."""

    def __init__(self, root: Path, suites: list[str], mirror: str | None = None) -> None:
        self.root = root
        self.suites = suites
        self.mirror = mirror or os.getenv("DEBIAN_MIRROR", DEFAULT_MIRROR)

    @classmethod
    def for_lock(cls, lock: Lock) -> PrivateApt:
        return cls(VAR_DIR / "apt" / lock.name, lock.suites)

    def sources(self) -> str:
        return "".join(
            f"deb [signed-by={KEYRING}] {self.mirror} {suite} main\n" for suite in self.suites
        )

    def options(self) -> list[str]:
        root = self.root
        settings = {
            "Dir::Etc::sourcelist": root / "sources.list",
            "Dir::Etc::sourceparts": root / "sources.list.d",
            "Dir::Etc::preferences": root / "preferences",
            "Dir::Etc::preferencesparts": root / "preferences.d",
            "Dir::State::Lists": root / "lists",
            "Dir::State::status": root / "status",
            "Dir::Cache": root / "cache",
        }
        return [arg for key, value in settings.items() for arg in ("-o", f"{key}={value}")]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One apt at a time on this configuration (two builds may fetch at once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def prepare(self) -> bool:
        """Writes the configuration; True when the package lists must be (re)read."""
        for folder in (
            "sources.list.d",
            "preferences.d",
            "lists/partial",
            "cache/archives/partial",
        ):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / "status").touch()
        sources = self.root / "sources.list"
        changed = not sources.exists() or sources.read_text() != self.sources()
        if changed:
            sources.write_text(self.sources())
        return changed or not any((self.root / "lists").glob("*_Packages"))

    def update(self) -> None:
        self.run(["apt-get", "update", "-qq"])

    def download(self, package: LockedPackage, into: Path) -> Path:
        self.run(["apt-get", "download", "-qq", f"{package.name}={package.version}"], cwd=into)
        path = into / package.filename
        if not path.exists():
            raise AptError(f"apt-get download {package.name}={package.version} left no {path}")
        return path

    def show(self, name: str) -> str:
        return self.run(["apt-cache", "show", name]).stdout

    def run(self, argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [argv[0], *self.options(), *argv[1:]],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise AptError(f"{' '.join(argv)} failed: {(proc.stderr or proc.stdout).strip()}")
        return proc


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(lock: Lock, into: Path, apt: PrivateApt | None = None) -> list[Path]:
    """Each locked package's .deb in `into`, checked against its SHA256. A file already there
    with the right checksum is reused, so a second build needs no network."""
    into.mkdir(parents=True, exist_ok=True)
    apt = apt or PrivateApt.for_lock(lock)
    paths = []
    missing = [p for p in lock.packages if not _verified(into / p.filename, p)]
    if missing:
        with apt.locked():
            if apt.prepare():
                apt.update()
            for package in missing:
                try:
                    apt.download(package, into)
                except AptError:
                    apt.update()  # lists older than the lock: read them again once
                    apt.download(package, into)
    for package in lock.packages:
        path = into / package.filename
        actual = sha256_of(path)
        if actual != package.sha256:
            path.unlink()
            raise AptError(
                f"{package.filename}: SHA256 {actual} is not the locked {package.sha256}"
            )
        paths.append(path)
    return paths


def _verified(path: Path, package: LockedPackage) -> bool:
    return path.exists() and sha256_of(path) == package.sha256


def unpack(deb: Path, into: Path) -> Path:
    """The package's files under `into` (dpkg -x: nothing is installed, no script runs)."""
    into.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["dpkg", "-x", str(deb), str(into)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise AptError(f"dpkg -x {deb} failed: {proc.stderr.strip()}")
    return into


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "fetch":
        try:
            paths = fetch(Lock.read(Path(argv[1])), Path(argv[2]))
        except AptError as error:
            print(f"sandbox.apt: {error}", file=sys.stderr)
            return 1
        for path in paths:
            print(path)
        return 0
    if len(argv) == 2 and argv[0] == "show":
        lock = Lock.read(Path(argv[1]))
        apt = PrivateApt.for_lock(lock)
        with apt.locked():
            apt.prepare()
            apt.update()
            for name in sorted({p.name for p in lock.packages}):
                print(apt.show(name))
        return 0
    print("usage: python -m sandbox.apt fetch LOCK DIR | show LOCK", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
