"""The kernels a site can run programs on, pinned in `sandbox/kernels.lock`.

Each kernel is one of Debian's cloud kernels (`6.1` from bookworm, `6.12` from trixie,
`7.2` from sid, `7.3` from experimental). The lock file (committed) pins, per kernel,
the exact package versions and their SHA-256 sums. They are fetched with `apt-get
download` through bpflab's private apt configuration (sandbox/apt.py, under `var/apt/`):
the host's own apt sources are never read for them, nor changed. Packages are unpacked
with `dpkg -x`, never installed.

When a pinned version has gone from the archive (sid and experimental move), the
newest version of the same series in the kernel's suites is used instead, and the build
says so (`Fetched.note`); `python -m sandbox kernels lock` writes the lock anew from the
archive.

From trixie on a kernel is split: `linux-image-<release>` is a meta package depending
on `linux-binary-<release>` (vmlinuz), `linux-modules-<release>` and `linux-base-<release>`
(config, modules.builtin). Older ones carry everything in `linux-image-<release>`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sandbox.apt import Apt, AptError, sha256_of, write_apt_config

__all__ = ["Apt", "write_apt_config"]  # the private apt configuration, from sandbox.apt

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCK_FILE = Path(__file__).resolve().parent / "kernels.lock"
VAR_DIR = Path(os.environ.get("BPFLAB_VAR_DIR", REPO_ROOT / "var"))
DEB_CACHE = Path(os.environ.get("BPFLAB_DEB_CACHE", VAR_DIR / "sandbox" / "debs"))
META_PACKAGE = "linux-image-cloud-amd64"

Log = Callable[[str], None]


class KernelError(AptError):
    pass


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Kernel:
    """One kernel a site may offer; `name` (e.g. "6.12") is what runs and settings use."""

    name: str
    suites: tuple[str, ...]
    version: str  # of the meta package, e.g. "6.12.118-1"
    release: str  # uname -r, e.g. "6.12.118+deb13-cloud-amd64"
    packages: tuple[Package, ...]
    default: bool = False

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["suites"] = list(self.suites)
        data["packages"] = [asdict(package) for package in self.packages]
        return data


def version_key(name: str) -> tuple[int, ...]:
    """ "6.12" -> (6, 12): kernels ordered by version, not by string."""
    return tuple(int(part) for part in re.findall(r"\d+", name))


def load_lock(path: Path = LOCK_FILE) -> list[Kernel]:
    """Every kernel of the lock file, oldest first."""
    data = json.loads(path.read_text())
    kernels = [
        Kernel(
            name=entry["name"],
            suites=tuple(entry["suites"]),
            version=entry["version"],
            release=entry["release"],
            packages=tuple(Package(**package) for package in entry["packages"]),
            default=bool(entry.get("default")),
        )
        for entry in data["kernels"]
    ]
    return sorted(kernels, key=lambda kernel: version_key(kernel.name))


def locked_kernel(name: str) -> Kernel:
    for kernel in load_lock():
        if kernel.name == name:
            return kernel
    known = ", ".join(kernel.name for kernel in load_lock())
    raise KernelError(f"no kernel {name!r} in {LOCK_FILE.name} (known: {known})")


def default_kernel_name(kernels: list[Kernel] | None = None) -> str:
    """The lock's default kernel (Debian 12's own), else the oldest."""
    kernels = load_lock() if kernels is None else kernels
    return next((k.name for k in kernels if k.default), kernels[0].name)


def in_series(version: str, series: str) -> bool:
    """7.3~rc7-1~exp1 and 7.3.1-1 are in series 7.3; 7.30.1-1 is not."""
    return re.match(rf"^{re.escape(series)}([.~-]|$)", version) is not None


def compare_versions(a: str, b: str) -> int:
    """Debian's version order (dpkg --compare-versions)."""
    if a == b:
        return 0
    lower = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
    return -1 if lower else 1


def _depends_names(fields: dict[str, str]) -> list[str]:
    names = []
    for alternative in fields.get("Depends", "").split(","):
        first = alternative.split("|")[0].strip()
        if first:
            names.append(first.split()[0])
    return names


def resolve_from_archive(apt: Apt, name: str, suites: tuple[str, ...]) -> Kernel:
    """The newest kernel of series `name` in `suites`, as the archive lists it now."""
    apt.update()
    candidates = [
        version
        for version, suite in apt.versions(META_PACKAGE)
        if suite in suites and in_series(version, name)
    ]
    if not candidates:
        raise KernelError(f"no {META_PACKAGE} of series {name} in {', '.join(suites)}")
    version = max(candidates, key=functools.cmp_to_key(compare_versions))
    meta = apt.show(META_PACKAGE, version)
    assert meta is not None
    image = next(n for n in _depends_names(meta) if n.startswith("linux-image-"))
    image_fields = apt.show(image, version)
    if image_fields is None:
        raise KernelError(f"{image}={version} is not in the archive")
    release = image.removeprefix("linux-image-")
    parts = [n for n in _depends_names(image_fields) if n.startswith(("linux-binary-",))]
    names = [image] if not parts else [
        f"linux-binary-{release}", f"linux-modules-{release}", f"linux-base-{release}"
    ]  # fmt: skip
    packages = []
    for package in names:
        fields = apt.show(package, version)
        if fields is None:
            raise KernelError(f"{package}={version} is not in the archive")
        packages.append(
            Package(package, version, fields["SHA256"], int(fields.get("Size", "0") or 0))
        )
    return Kernel(name, suites, version, release, tuple(packages))


def write_lock(kernels: list[Kernel], path: Path = LOCK_FILE) -> None:
    data = {
        "about": "Pinned Debian cloud kernels; `python -m sandbox kernels lock` rewrites it.",
        "kernels": [kernel.to_dict() for kernel in kernels],
    }
    path.write_text(json.dumps(data, indent=2) + "\n")


# --- fetching -----------------------------------------------------------------------


@dataclass
class Fetched:
    """A kernel's packages, unpacked; `kernel` is what was really used."""

    kernel: Kernel
    root: Path
    note: str = ""
    downloaded: list[str] = field(default_factory=list)


def cached_deb(package: Package) -> Path:
    return DEB_CACHE / f"{package.name}_{package.version.replace(':', '%3a')}_amd64.deb"


def usable_kernel(pinned: Kernel, apt: Apt, log: Log) -> tuple[Kernel, str]:
    """The pinned kernel when its .debs are cached or in the archive, else the newest of
    its series (with a note saying so)."""
    if all(_cached_ok(package) for package in pinned.packages):
        return pinned, ""
    apt.update()
    if all(apt.show(p.name, p.version) is not None for p in pinned.packages):
        return pinned, ""
    newest = resolve_from_archive(apt, pinned.name, pinned.suites)
    newest = Kernel(**{**newest.__dict__, "default": pinned.default})
    note = (
        f"kernel {pinned.name}: the pinned {pinned.version} is no longer in the archive; "
        f"using {newest.version}, the newest {pinned.name} in {', '.join(pinned.suites)} "
        f"(`python -m sandbox kernels lock` pins it)"
    )
    log(note)
    return newest, note


def _cached_ok(package: Package) -> bool:
    path = cached_deb(package)
    return path.exists() and path.stat().st_size == package.size


def fetch(pinned: Kernel, workdir: Path, log: Log = print, apt: Apt | None = None) -> Fetched:
    """Downloads (or takes from var/sandbox/debs) and unpacks the kernel into workdir/root."""
    apt = apt or Apt()
    kernel, note = usable_kernel(pinned, apt, log)
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    DEB_CACHE.mkdir(parents=True, exist_ok=True)
    fetched = Fetched(kernel=kernel, root=root, note=note)
    for package in kernel.packages:
        deb = cached_deb(package)
        if not _cached_ok(package):
            log(f"downloading {package.name} {package.version}")
            with tempfile.TemporaryDirectory(dir=DEB_CACHE, prefix=".download-") as download:
                got = apt.download(package.name, package.version, Path(download))
                _check_sum(got, package)
                shutil.move(got, deb)
            fetched.downloaded.append(package.name)
        _check_sum(deb, package)
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
    return fetched


def _check_sum(deb: Path, package: Package) -> None:
    actual = sha256_of(deb)
    if actual != package.sha256:
        deb.unlink(missing_ok=True)
        raise KernelError(
            f"{package.name} {package.version}: SHA-256 {actual} is not the locked "
            f"{package.sha256}; the file was removed"
        )


def prune_debs(used: dict[str, str]) -> None:
    """Removes cached .debs of versions no built kernel uses any more ({package: version}):
    a new lock's downloads replace the old ones."""
    keep = {cached_deb(Package(name, version, "", 0)).name for name, version in used.items()}
    for deb in DEB_CACHE.glob("*.deb"):
        if deb.name not in keep:
            deb.unlink()


# --- CLI ----------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m sandbox kernels")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the locked kernels as JSON")
    lock = sub.add_parser("lock", help="pin the newest version of each kernel's series")
    lock.add_argument("names", nargs="*", help="only these kernels (default: all)")
    sub.add_parser("apt-config", help="write the private apt configuration, print its path")
    args = parser.parse_args(argv)
    if args.command == "apt-config":
        print(write_apt_config())
        return 0
    kernels = load_lock()
    if args.command == "list":
        print(json.dumps([kernel.to_dict() for kernel in kernels], indent=2))
        return 0
    apt = Apt()
    renewed = [
        Kernel(**{**resolve_from_archive(apt, k.name, k.suites).__dict__, "default": k.default})
        if not args.names or k.name in args.names
        else k
        for k in kernels
    ]
    write_lock(renewed)
    for old, new in zip(kernels, renewed, strict=True):
        print(f"{new.name}: {old.version} -> {new.version}" if old != new else f"{new.name}: same")
    return 0
