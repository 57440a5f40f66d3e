"""A kernel whose pinned version has gone from the archive (sid and experimental move) is
built from the newest version of its series, and the build log, the image and /healthz
(to staff) say so. Debian's archive, apt and the image build are real; only the lock file
names a version the archive no longer has."""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import image as vm_image
from sandbox import kernels

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
GONE = "7.2.0-0gone"


@pytest.fixture
def image_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An image folder of its own beside the site's (the compile jail, user nobody, reads
    the kernel's vmlinux.h there: a pytest temporary folder is closed to it)."""
    root = Path(tempfile.mkdtemp(prefix=".test-images-", dir=vm_image.IMAGE_ROOT.parent))
    root.chmod(0o755)
    monkeypatch.setattr(vm_image, "IMAGE_ROOT", root)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def lock_with_a_gone_pin(
    tmp_path: Path, image_root: Path, monkeypatch: pytest.MonkeyPatch
) -> kernels.Kernel:
    """sandbox/kernels.lock with 7.2 pinned at a version the archive does not hold."""
    pinned = kernels.locked_kernel("7.2")
    gone = dataclasses.replace(
        pinned,
        version=GONE,
        packages=tuple(dataclasses.replace(p, version=GONE) for p in pinned.packages),
    )
    lock = tmp_path / "kernels.lock"
    kernels.write_lock([gone], lock)
    real_load_lock = kernels.load_lock
    monkeypatch.setattr(kernels, "load_lock", lambda path=lock: real_load_lock(path))
    return pinned


def test_it_builds_the_newest_of_the_series_and_says_so(
    lock_with_a_gone_pin: kernels.Kernel, settings, client, django_user_model
) -> None:
    said: list[str] = []

    built = vm_image.build_image("7.2", snapshot=False, log=said.append)

    used = built.manifest["inputs"]["kernel"]["version"]
    assert used != GONE and kernels.in_series(used, "7.2")
    assert kernels.compare_versions(used, lock_with_a_gone_pin.version) >= 0
    note = built.kernel_note
    assert f"the pinned {GONE} is no longer in the archive; using {used}" in note
    assert f"7.2: {note}" in said
    on_disk = json.loads((built.directory / "manifest.json").read_text())
    assert on_disk["kernel_note"] == note

    staff = django_user_model.objects.create_user("sam", "sam@example.org", "x", is_staff=True)
    client.force_login(staff)
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    part = client.get("/healthz").json()["kernels"]

    assert part["notes"] == {"7.2": note}
    assert note in part["detail"] and part["built"] == {"7.2": built.kernel_release}
