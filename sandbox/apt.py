"""Debian packages from any suite (bookworm to experimental) through an apt configuration
private to bpflab, pinned and checked by committed lock files.

The configuration lives under var/apt/ (`BPFLAB_APT_DIR`): sources for every suite, the
package lists, the cache, an empty dpkg status, its own apt.conf; apt is pointed at it with
`APT_CONFIG`, so the host's sources, apt.conf.d and state are never used, and never written.
Only the host's proxy and Release-date settings are read, so downloads go the way the host's
own apt goes. apt checks the archive's signatures with Debian's keyring; we then check each
.deb against the SHA256 of its lock, so a download is the file that was reviewed.

Who uses it: the kernels of sandbox/kernels.lock (sandbox/kernels.py), and docker compose
(sandbox/compose/docker-compose.lock.json, `make compose-images`). A lock file of the simple kind
read here is JSON:

    {"packages": [{"name": "docker-compose", "version": "2.26.1-4", "suite": "trixie",
                   "architecture": "amd64", "sha256": "4768..."}]}

    python -m sandbox.apt fetch LOCK DIR    # downloads (or reuses) each .deb into DIR
    python -m sandbox.apt show LOCK         # what the archive offers now, to update a lock

From Python: `fetch(Lock.read(path), into)` returns the checked .deb paths, `unpack(deb, dir)`
extracts one without installing it, `Apt()` runs apt-get and apt-cache on the configuration.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BPFLAB_VAR_DIR", REPO / "var"))
APT_DIR = Path(os.environ.get("BPFLAB_APT_DIR", VAR_DIR / "apt"))
MIRROR = os.environ.get("BPFLAB_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY_MIRROR = os.environ.get(
    "BPFLAB_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security"
)
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
# Every suite a lock may name; security suites live on their own mirror.
SUITES = (
    "bookworm", "bookworm-updates", "bookworm-security", "bookworm-backports",
    "trixie", "trixie-updates", "trixie-security", "sid", "experimental",
)  # fmt: skip


class AptError(RuntimeError):
    pass


# --- the private apt configuration --------------------------------------------------


def sources_list(suites: tuple[str, ...] = SUITES, mirror: str | None = None) -> str:
    lines = []
    for suite in suites:
        where = SECURITY_MIRROR if suite.endswith("-security") else (mirror or MIRROR)
        lines.append(f"deb [signed-by={KEYRING}] {where} {suite} main")
    return "\n".join(lines) + "\n"


def apt_config(apt_dir: Path = APT_DIR) -> str:
    """apt.conf pointing every path apt reads or writes into apt_dir (host apt untouched)."""
    root = apt_dir.resolve()
    settings = {
        "Dir::Etc::sourcelist": root / "sources.list",
        "Dir::Etc::sourceparts": root / "sources.list.d",
        "Dir::Etc::preferences": root / "preferences",
        "Dir::Etc::preferencesparts": root / "preferences.d",
        "Dir::State": root / "state",
        "Dir::State::Lists": root / "lists",
        "Dir::State::status": root / "state" / "status",
        "Dir::Cache": root / "cache",
        # apt reads these after APT_CONFIG: pointed here, the host's apt.conf.d (which may,
        # as in Debian's docker images, switch off the package cache, and then every
        # apt-cache call parses all the lists again, seconds each) is left out too
        "Dir::Etc::parts": root / "apt.conf.d",
        "Dir::Etc::main": root / "apt.conf",
        "Dir::Log": root / "log",
        "APT::Architecture": "amd64",
        "APT::Architectures": "amd64",
        "Acquire::Languages": "none",
        # downloads land in a folder of ours that apt's unprivileged user cannot enter
        "APT::Sandbox::User": "root",
    }
    own = "".join(f'{key} "{value}";\n' for key, value in settings.items())
    return own + host_acquire_settings()


def host_acquire_settings() -> str:
    """The host's apt proxy and Release-date lines (read, never changed): downloads go the
    way the host's own apt goes, through its proxy, and a host pointed at a frozen
    snapshot mirror (Check-Valid-Until "false") accepts the same Release files."""
    proc = subprocess.run(
        ["apt-config", "dump"], capture_output=True, text=True, env={**os.environ, "APT_CONFIG": ""}
    )
    wanted = re.compile(r"^Acquire::((https?|ftp)::Proxy|Check-Valid-Until|Check-Date) ")
    return "".join(f"{line}\n" for line in proc.stdout.splitlines() if wanted.match(line))


def write_apt_config(
    apt_dir: Path = APT_DIR, suites: tuple[str, ...] = SUITES, mirror: str | None = None
) -> Path:
    """Writes the private configuration (idempotent); returns the apt.conf to use."""
    subs = (
        "apt.conf.d",
        "sources.list.d",
        "preferences.d",
        "state",
        "lists/partial",
        "cache",
        "log",
    )
    for sub in subs:
        (apt_dir / sub).mkdir(parents=True, exist_ok=True)
    (apt_dir / "state" / "status").touch()
    _write_if_changed(apt_dir / "sources.list", sources_list(suites, mirror))
    conf = apt_dir / "apt.conf"
    _write_if_changed(conf, apt_config(apt_dir))
    return conf


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


class Apt:
    """apt-get and apt-cache with the private configuration only."""

    def __init__(
        self, apt_dir: Path = APT_DIR, suites: tuple[str, ...] = SUITES, mirror: str | None = None
    ) -> None:
        self.apt_dir = apt_dir
        self.conf = write_apt_config(apt_dir, suites, mirror)
        self.updated = False

    def env(self) -> dict[str, str]:
        return {**os.environ, "APT_CONFIG": str(self.conf), "LC_ALL": "C"}

    def run(self, argv: list[str], cwd: Path | None = None) -> str:
        proc = subprocess.run(argv, cwd=cwd, env=self.env(), capture_output=True, text=True)
        if proc.returncode != 0:
            raise AptError(f"{' '.join(argv)}: {proc.stderr.strip()[-500:]}")
        return proc.stdout

    def update(self) -> None:
        if not self.updated:
            self.run(["apt-get", "update", "-qq"])
            self.updated = True

    def show(self, name: str, version: str) -> dict[str, str] | None:
        """The archive's record of name=version (from its signed index), None if gone."""
        proc = subprocess.run(
            ["apt-cache", "show", "--no-all-versions", f"{name}={version}"],
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            return None
        return control_fields(proc.stdout)

    def versions(self, name: str) -> list[tuple[str, str]]:
        """(version, suite) for every version of name the lists hold."""
        out = subprocess.run(
            ["apt-cache", "madison", name], env=self.env(), capture_output=True, text=True
        ).stdout
        found = []
        for line in out.splitlines():
            parts = [part.strip() for part in line.split("|")]
            if len(parts) == 3 and parts[0] == name:
                suite = parts[2].split()[1].split("/")[0]
                found.append((parts[1], suite))
        return found

    def download(self, name: str, version: str, into: Path) -> Path:
        self.run(["apt-get", "download", "-qq", f"{name}={version}"], cwd=into)
        debs = sorted(into.glob(f"{name}_*.deb"))
        if not debs:
            raise AptError(f"apt-get download {name}={version} left no .deb")
        return debs[0]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """One apt at a time on this configuration (two builds may fetch at once)."""
        with open(self.apt_dir / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield


def control_fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in text.split("\n\n")[0].splitlines():
        if line and not line[0].isspace() and ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.strip()
    return fields


# --- lock files of packages -----------------------------------------------------------


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
    packages: tuple[LockedPackage, ...]

    @classmethod
    def read(cls, path: Path) -> Lock:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            packages = tuple(LockedPackage(**entry) for entry in data["packages"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise AptError(f"{path}: not a package lock ({error})") from None
        return cls(packages=packages)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(lock: Lock, into: Path, apt: Apt | None = None) -> list[Path]:
    """Each locked package's .deb in `into`, checked against its SHA256. A file already there
    with the right checksum is reused, so a second build needs no network (and no apt)."""
    into.mkdir(parents=True, exist_ok=True)
    missing = [p for p in lock.packages if not _verified(into / p.filename, p)]
    if missing:
        apt = apt or Apt()
        with apt.locked():
            apt.update()
            for package in missing:
                apt.download(package.name, package.version, into)
    paths = []
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
    try:
        if len(argv) == 3 and argv[0] == "fetch":
            for path in fetch(Lock.read(Path(argv[1])), Path(argv[2])):
                print(path)
            return 0
        if len(argv) == 2 and argv[0] == "show":
            lock = Lock.read(Path(argv[1]))
            apt = Apt()
            apt.update()
            for name in sorted({p.name for p in lock.packages}):
                for version, suite in apt.versions(name):
                    print(f"{name} {version} ({suite})")
            return 0
    except AptError as error:
        print(f"sandbox.apt: {error}", file=sys.stderr)
        return 1
    print("usage: python -m sandbox.apt fetch LOCK DIR | show LOCK", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
