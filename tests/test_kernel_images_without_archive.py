"""A worker that joins a site whose microVM images are built (the shared image volume of
docker-compose.yml) finds them up to date without Debian's archive: no package list to
fetch (`apt-get update` takes minutes on a loaded machine), no .deb to download."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox import image as vm_image
from sandbox import kernels
from tests.builders import built_kernel_images

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]


def test_it_finds_every_built_image_up_to_date_with_no_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = built_kernel_images()
    monkeypatch.setattr(kernels, "DEB_CACHE", tmp_path / "debs")  # a new container: no .debs
    unreachable = kernels.Apt(apt_dir=tmp_path / "apt", mirror="file:///nonexistent/debian")
    said: list[str] = []

    found = {name: vm_image.build_image(name, log=said.append, apt=unreachable) for name in images}

    assert {name: image.directory for name, image in found.items()} == {
        name: image.directory for name, image in images.items()
    }
    assert not unreachable.updated, said
    assert all("is up to date" in line for line in said), said
