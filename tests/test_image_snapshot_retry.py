"""An image build boots once more when its snapshot boot fails (a rare boot race under
TCG), and still fails when the second boot fails too (a broken image)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import image as vm_image
from sandbox.vmboot import VMError


class Boots:
    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self, image: Any, log: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise VMError(f"qemu exited during boot (boot {self.calls})")
        return {"boot_s": 1.0}


def test_it_boots_once_more_after_a_failed_snapshot_boot() -> None:
    said: list[str] = []
    boots = Boots(failures=1)

    assert vm_image.snapshot_with_retry(None, said.append, take=boots) == {"boot_s": 1.0}  # type: ignore[arg-type]
    assert boots.calls == 2
    assert said and "boot 1" in said[0]


def test_it_fails_an_image_whose_second_boot_fails_too() -> None:
    boots = Boots(failures=2)

    with pytest.raises(VMError, match="boot 2"):
        vm_image.snapshot_with_retry(None, lambda message: None, take=boots)  # type: ignore[arg-type]
    assert boots.calls == 2


def test_it_boots_once_when_the_boot_goes_through() -> None:
    boots = Boots(failures=0)

    vm_image.snapshot_with_retry(None, lambda message: None, take=boots)  # type: ignore[arg-type]
    assert boots.calls == 1
