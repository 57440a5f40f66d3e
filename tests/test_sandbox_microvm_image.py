"""The VM image builder: cached by its inputs, an initramfs the guest can boot from."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from sandbox import image as vm_image

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
TRIGGER_ALLOW_LIST = ["/bin/true", "/bin/ls", "/bin/cat", "/bin/echo", "/bin/sleep", "/bin/ping"]


@pytest.fixture(scope="module")
def image() -> vm_image.Image:
    return vm_image.build_image(log=lambda message: None)


@pytest.fixture(scope="module")
def unpacked(image: vm_image.Image, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("initramfs")
    with image.initrd.open("rb") as archive:
        subprocess.run(["cpio", "-idm", "--quiet"], stdin=archive, cwd=root, check=True)
    return root


def test_it_reuses_an_image_whose_inputs_did_not_change(image: vm_image.Image) -> None:
    started = time.monotonic()

    again = vm_image.build_image(log=lambda message: None)

    assert again.directory == image.directory == vm_image.current_image().directory  # type: ignore[union-attr]
    assert time.monotonic() - started < 5
    assert image.directory.name == vm_image.image_key(image.manifest["inputs"])
    assert image.has_snapshot() and image.template_ram is not None
    # a template: the devices' state in snapshot.mig, the guest RAM in its own file
    assert image.snapshot.stat().st_size < 1_000_000
    assert image.template_ram.stat().st_size == vm_image.MEMORY_MIB << 20


def test_it_packs_init_agent_and_the_allowed_commands(
    image: vm_image.Image, unpacked: Path
) -> None:
    assert (unpacked / "init").read_bytes() == vm_image.INIT_SCRIPT.read_bytes()
    assert os.access(unpacked / "init", os.X_OK)
    agent_sha = vm_image.file_sha256(unpacked / "bin" / "bpflab-agent")
    assert agent_sha == image.manifest["inputs"]["agent_sha256"]
    for command in TRIGGER_ALLOW_LIST:
        assert os.readlink(unpacked / command.lstrip("/")) == "busybox"


def test_it_loads_every_module_after_its_dependencies(unpacked: Path) -> None:
    modules = unpacked / "lib" / "modules"
    order = (modules / "load-order").read_text().split()
    loaded: set[str] = set()

    for name in order:
        dependencies = vm_image.modinfo_depends(modules / name)
        assert all(f"{dependency}.ko" in loaded for dependency in dependencies), name
        loaded.add(name)

    wanted = {f"{module}.ko" for module in vm_image.GUEST_MODULES}
    assert wanted <= loaded and "virtio.ko" in loaded  # virtio_console needs it
