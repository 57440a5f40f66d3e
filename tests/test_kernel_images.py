"""One microVM image and snapshot per kernel of sandbox/kernels.lock, each really booting
its own kernel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sandbox import image as vm_image
from sandbox import kernels
from sandbox.backends.microvm import MicroVMBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits
from sandbox.packets_hex import udp_frame
from tests.builders import built_kernel_images

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
ITER_NUM = (Path(__file__).parent / "programs" / "iter_num_drop.c").read_text()


@pytest.fixture(scope="module")
def images() -> dict[str, vm_image.Image]:
    """Every kernel's image: built when missing or stale, else cached (make install)."""
    return built_kernel_images()


def iter_num_job() -> Job:
    compiled = compile_source(ITER_NUM)
    assert compiled.ok and compiled.object, compiled.output
    ops = [
        {"op": "load", "id": "load", "log_level": 1},
        {"op": "test_run", "id": "run", "data": udp_frame(53).hex()},
    ]
    return Job(object=compiled.object, ops=ops, limits=RunLimits(wall_s=30))


def test_it_builds_a_snapshot_of_every_locked_kernel(images: dict[str, vm_image.Image]) -> None:
    assert list(images) == [kernel.name for kernel in kernels.load_lock()]
    assert list(vm_image.built_kernels()) == list(images)
    releases = {name: image.kernel_release for name, image in images.items()}
    assert releases["6.12"].startswith("6.12.") and releases["7.3"].startswith("7.3")
    assert len(set(releases.values())) == 4
    for image in images.values():
        assert image.has_snapshot() and image.kernel == image.directory / "vmlinux"
    assert vm_image.current_image().directory == images["6.1"].directory  # type: ignore[union-attr]


def test_it_leaves_out_modules_a_kernel_has_built_in(images: dict[str, vm_image.Image]) -> None:
    assert "virtio_console.ko" in images["6.1"].manifest["modules"]
    for name in ("6.12", "7.2", "7.3"):  # built in there; veth etc. come from .ko.xz
        modules = images[name].manifest["modules"]
        assert "virtio_console.ko" not in modules and "veth.ko" in modules, name


def test_it_runs_a_job_on_the_kernel_it_was_asked_for(images: dict[str, vm_image.Image]) -> None:
    outcomes = {}
    for name, image in images.items():
        result = MicroVMBackend(kernel=name).run(iter_num_job())
        booting = result.events[0]
        assert (booting["kernel"], booting["release"]) == (name, image.kernel_release)
        load = result.by_id("load")
        assert load is not None
        outcomes[name] = load["ok"]

    # open-coded iterators (bpf_iter_num_*) came with 6.4: proof these are other kernels
    assert outcomes == {"6.1": False, "6.12": True, "7.2": True, "7.3": True}


def test_it_says_which_kernel_has_no_image() -> None:
    ok, reason = MicroVMBackend(kernel="5.10").available()

    assert not ok and "kernel 5.10" in reason
