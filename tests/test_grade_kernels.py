"""`manage.py grade --kernel K` and `--all-kernels`: one program, compiled once, graded on
each microVM kernel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sandbox import image as vm_image
from tests.builders import built_kernel_images
from tests.test_grade_command import grade_command

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]
ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "content" / "labs"
ITER_NUM = Path(__file__).parent / "programs" / "iter_num_drop.c"


@pytest.fixture(scope="module", autouse=True)
def images() -> None:
    built_kernel_images()


def test_it_prints_one_verdict_per_kernel_as_json() -> None:
    code, out = grade_command(
        "xdp-drop-all", str(LABS / "xdp-drop-all" / "solution.c"), "--all-kernels", "--json"
    )

    report = json.loads(out)
    assert code == 0
    assert list(report) == ["kernels"]
    assert list(report["kernels"]) == ["6.1", "6.12", "7.2", "7.3"]
    for name, verdict in report["kernels"].items():
        assert verdict["passed"] is True and verdict["stage"] == "done"
        assert verdict["kernel"]["name"] == name
        assert verdict["kernel"]["release"] == vm_image.built_kernels()[name].kernel_release
        assert verdict["load"]["loaded"] is True and verdict["load"]["insns"] > 0


def test_it_shows_what_differs_when_a_kernel_lacks_a_feature() -> None:
    code, out = grade_command("xdp-drop-all", str(ITER_NUM), "--all-kernels")

    assert code == 1
    assert "== kernel 6.1 (6.1.0-" in out
    assert "loaded: 6.1=False, 6.12=True, 7.2=True, 7.3=True" in out
    assert "'bpf_iter_num_" in out and "not found in kernel or module BTFs" in out
    assert out.rstrip().endswith("FAILED (Passed on 3 of 4 kernels.)")


def test_it_grades_on_the_one_kernel_asked_for() -> None:
    old_code, old_out = grade_command("xdp-drop-all", str(ITER_NUM), "--kernel", "6.1", "--json")
    new_code, new_out = grade_command("xdp-drop-all", str(ITER_NUM), "--kernel", "6.12", "--json")

    old = json.loads(old_out)
    assert (old_code, new_code) == (1, 0)
    assert old["load"]["complaint"].startswith("extern (func ksym) 'bpf_iter_num_")
    assert old["load_failure"]["class"] == "missing_kfunc" and old["load_failure"]["line"] == 18
    assert old["verifier"] is None  # the verifier never ran
    assert "this kernel has no kernel function bpf_iter_num_" in old["checks"][0]["actual"]
    assert json.loads(new_out)["kernel"]["name"] == "6.12"


def test_it_refuses_a_kernel_without_an_image_with_status_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command("grade", "xdp-drop-all", str(ITER_NUM), "--kernel", "4.19")

    assert caught.value.returncode == 2
    assert "built: 6.1, 6.12, 7.2, 7.3" in str(caught.value)


def test_it_refuses_a_kernel_on_the_local_backend_with_status_2() -> None:
    with pytest.raises(CommandError) as caught:
        call_command(
            "grade", "xdp-drop-all", str(ITER_NUM), "--kernel", "6.12", "--backend", "local"
        )

    assert caught.value.returncode == 2
