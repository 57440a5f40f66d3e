"""A lab meant for a range of kernels (a hook renamed in 7.x): runs default inside the
range, and kernels past it are shown but not counted in an every-kernel verdict."""

from __future__ import annotations

from types import SimpleNamespace

from labs.grading.kernels import KernelMatrix
from labs.grading.verdicts import Verdict
from labs.kernels import default_for, fits

NAMES = ["6.1", "6.12", "7.2", "7.3"]


def test_it_fits_kernels_between_the_labs_bounds() -> None:
    assert [n for n in NAMES if fits(n, "", "6.12")] == ["6.1", "6.12"]
    assert [n for n in NAMES if fits(n, "6.12", "")] == ["6.12", "7.2", "7.3"]
    assert [n for n in NAMES if fits(n, "6.12", "7.2")] == ["6.12", "7.2"]


def test_it_lowers_a_default_past_the_labs_newest_kernel(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANDBOX_DEFAULT_KERNEL = "7.3"
    kprobe_lab = SimpleNamespace(min_kernel="", max_kernel="6.12", default_kernel="")
    any_lab = SimpleNamespace(min_kernel="", max_kernel="", default_kernel="")
    nobody = SimpleNamespace(is_authenticated=False)

    assert default_for(nobody, any_lab, NAMES) == "7.3"
    assert default_for(nobody, kprobe_lab, NAMES) == "6.1"


def test_it_counts_only_the_kernels_the_lab_is_meant_for() -> None:
    verdicts = {n: Verdict(slug="kprobe-unlink", passed=n in ("6.1", "6.12")) for n in NAMES}
    matrix = KernelMatrix(slug="kprobe-unlink", verdicts=verdicts, max_kernel="6.12")

    assert matrix.passed
    assert len(matrix.counted) == 2
    assert matrix.to_dict()["max_kernel"] == "6.12"
