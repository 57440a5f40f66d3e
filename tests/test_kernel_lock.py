"""sandbox/kernels.py: the pinned kernels, the private apt configuration, the fallback."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

import pytest

from sandbox import kernels


def test_it_pins_four_kernels_with_exact_versions_and_checksums() -> None:
    locked = kernels.load_lock()

    assert [kernel.name for kernel in locked] == ["6.1", "6.12", "7.2", "7.3"]
    assert kernels.default_kernel_name(locked) == "6.1"
    for kernel in locked:
        assert kernel.packages, kernel.name
        for package in kernel.packages:
            assert package.version == kernel.version
            assert re.fullmatch(r"[0-9a-f]{64}", package.sha256)
            assert package.size > 0
    split = {k.name: [p.name.split("-")[1] for p in k.packages] for k in locked}
    assert split["6.1"] == ["image"] and split["7.2"] == ["binary", "modules", "base"]


def test_it_keeps_its_apt_configuration_inside_its_own_folder(tmp_path: Path) -> None:
    host_sources = _digest(Path("/etc/apt"))

    conf = kernels.write_apt_config(tmp_path)

    paths = re.findall(r'^Dir::[\w:]+ "(/[^"]*)"', conf.read_text(), re.MULTILINE)
    assert paths and all(path.startswith(str(tmp_path.resolve())) for path in paths)
    sources = (tmp_path / "sources.list").read_text()
    for suite in ("bookworm", "trixie", "bookworm-backports", "sid", "experimental"):
        assert f" {suite} main" in sources
    assert _digest(Path("/etc/apt")) == host_sources


def test_it_falls_back_to_the_newest_of_the_series_when_a_pin_is_gone() -> None:
    pinned = kernels.locked_kernel("7.2")
    gone = dataclasses.replace(
        pinned,
        version="7.2.0-0gone",
        packages=tuple(dataclasses.replace(p, version="7.2.0-0gone") for p in pinned.packages),
    )
    said: list[str] = []

    used, note = kernels.usable_kernel(gone, kernels.Apt(), said.append)

    assert used.version != "7.2.0-0gone" and kernels.in_series(used.version, "7.2")
    assert kernels.compare_versions(used.version, pinned.version) >= 0
    assert [p.name.split("-")[1] for p in used.packages] == ["binary", "modules", "base"]
    assert "7.2.0-0gone is no longer in the archive" in note and used.version in note
    assert said == [note]


def test_it_refuses_a_package_whose_checksum_is_not_the_locked_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kernels, "DEB_CACHE", tmp_path / "debs")
    kernel = kernels.locked_kernel("7.3")
    package = kernel.packages[-1]
    forged = kernels.cached_deb(package)
    forged.parent.mkdir()
    forged.write_bytes(b"\0" * package.size)  # the right size, not the right bytes

    with pytest.raises(kernels.KernelError, match="is not the locked"):
        kernels.fetch(kernel, tmp_path / "work", log=lambda message: None)
    assert not forged.exists()


def test_it_orders_kernels_by_version_not_by_text() -> None:
    names = ["7.3", "6.12", "6.1", "7.2"]

    assert sorted(names, key=kernels.version_key) == ["6.1", "6.12", "7.2", "7.3"]
    assert kernels.in_series("7.3~rc7-1~exp1", "7.3")
    assert not kernels.in_series("7.30.1-1", "7.3")


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and os.access(path, os.R_OK):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_it_prunes_downloads_no_built_kernel_uses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kernels, "DEB_CACHE", tmp_path)
    used = kernels.locked_kernel("6.12").packages[0]
    kept = kernels.cached_deb(used)
    stale = tmp_path / f"{used.name}_6.12.1-1_amd64.deb"
    kept.write_bytes(b"deb")
    stale.write_bytes(b"old deb")

    kernels.prune_debs({used.name: used.version})

    assert kept.exists() and not stale.exists()
