"""sandbox.apt: Debian packages from another suite through a private apt configuration, checked
against a lock file. Real apt, real Debian mirror (the one network place CI reaches)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import apt

# A small package of Debian 13's archive.
HELLO = {
    "name": "hello",
    "version": "2.10-5",
    "suite": "trixie",
    "architecture": "amd64",
    "sha256": "4536aabbb75ec21ffe161099ee4b97274945770bdb0682e25ec322421211ca5e",
}
HOST_APT_STATE = (Path("/etc/apt"), Path("/var/lib/apt/lists"), Path("/var/lib/dpkg/status"))


def write_lock(folder: Path, **changes: str) -> Path:
    path = folder / "hello.lock.json"
    path.write_text(json.dumps({"packages": [{**HELLO, **changes}]}))
    return path


def snapshot(paths: tuple[Path, ...]) -> dict[str, float]:
    seen = {}
    for root in paths:
        for path in [root, *root.rglob("*")] if root.is_dir() else [root]:
            seen[str(path)] = path.stat().st_mtime
    return seen


@pytest.fixture(scope="module")
def private_apt(tmp_path_factory) -> apt.Apt:  # type: ignore[no-untyped-def]
    """A configuration of one suite (the default holds nine), its lists read once."""
    return apt.Apt(tmp_path_factory.mktemp("apt"), suites=("trixie",))


def test_it_downloads_the_locked_version_and_checks_its_sha256(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(HOST_APT_STATE)

    (deb,) = apt.fetch(apt.Lock.read(write_lock(tmp_path)), tmp_path / "debs", private_apt)

    assert deb.name == "hello_2.10-5_amd64.deb"
    assert apt.sha256_of(deb) == HELLO["sha256"]
    assert "trixie main" in (private_apt.apt_dir / "sources.list").read_text()
    assert snapshot(HOST_APT_STATE) == before, "the host's apt configuration and state changed"


def test_it_refuses_a_package_whose_checksum_is_not_the_locked_one(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lock = apt.Lock.read(write_lock(tmp_path, sha256="0" * 64))

    with pytest.raises(apt.AptError, match="is not the locked"):
        apt.fetch(lock, tmp_path / "debs", private_apt)

    assert not list((tmp_path / "debs").glob("*.deb")), "the unverified file was left behind"


def test_it_says_which_locked_version_the_archive_no_longer_has(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lock = apt.Lock.read(write_lock(tmp_path, version="0.0-0"))

    with pytest.raises(apt.AptError, match="hello=0.0-0"):
        apt.fetch(lock, tmp_path / "debs", private_apt)


def test_it_reuses_a_verified_download_without_the_network(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lock = apt.Lock.read(write_lock(tmp_path))
    apt.fetch(lock, tmp_path / "debs", private_apt)
    # A documentation address: nothing answers there.
    offline = apt.Apt(tmp_path / "offline-apt", ("trixie",), mirror="http://192.0.2.1/debian")

    (deb,) = apt.fetch(lock, tmp_path / "debs", offline)

    assert apt.sha256_of(deb) == HELLO["sha256"]
    assert not offline.updated, "apt was asked although the file was there"


def test_it_unpacks_a_package_without_installing_it(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (deb,) = apt.fetch(apt.Lock.read(write_lock(tmp_path)), tmp_path / "debs", private_apt)

    root = apt.unpack(deb, tmp_path / "root")

    hello = root / "usr" / "bin" / "hello"
    assert hello.read_bytes()[:4] == b"\x7fELF"
    status = subprocess.run(["dpkg-query", "-W", "hello"], capture_output=True, text=True)
    assert status.returncode != 0, "dpkg knows hello: it was installed"


def test_it_fetches_from_the_command_line(private_apt, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lock = write_lock(tmp_path)
    (deb,) = apt.fetch(apt.Lock.read(lock), tmp_path / "debs", private_apt)
    broken = tmp_path / "broken.lock.json"
    broken.write_text('{"packages": [{"name": "hello"}]}')

    again = fetch_command(lock, tmp_path / "debs")
    refused = fetch_command(broken, tmp_path / "debs")

    assert (again.returncode, again.stdout) == (0, f"{deb}\n")
    assert refused.returncode == 1 and "not a package lock" in refused.stderr


def fetch_command(lock: Path, into: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox.apt", "fetch", str(lock), str(into)],
        capture_output=True,
        text=True,
        cwd=apt.REPO,
    )
