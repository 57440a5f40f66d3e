"""The labs beyond packets (stages 7-11) grade strangers' programs fairly in the microVM,
the sandbox a shared site runs them in: Debian's cloud kernel, with kprobes, fentry/fexit
and init_on_free=1. The same `ok_*` / `bad_*` programs as tests/test_lab_solutions.py,
plus each lab's reference solution (passes) and starter (fails)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labs.grading import grade
from labs.spec import load_curriculum
from sandbox import image as vm_image
from tests.test_lab_solutions import EXPECT_FAIL, EXPECT_STAGE, _explain

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = Path(__file__).resolve().parent / "solutions"
BEYOND_PACKETS = ("kernel-functions", "user-space", "composing", "sockets", "capstone")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]

CURRICULUM = load_curriculum(ROOT / "content", with_prose=False)
LABS = {slug: lab for slug, lab in CURRICULUM.labs.items() if lab.stage in BEYOND_PACKETS}


# The labs that run only in the microVM (kprobes, fentry/fexit) have every program graded
# there by tests/test_lab_solutions.py already; here the VM grades the programs of the labs
# that run on the host kernel too.
ALSO_ON_THE_HOST = [slug for slug, lab in LABS.items() if lab.runs_on("local")]


def _cases(prefix: str) -> list[Path]:
    return [
        p for slug in ALSO_ON_THE_HOST for p in sorted((SOLUTIONS / slug).glob(f"{prefix}_*.c"))
    ]


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def test_it_grades_the_labs_that_run_only_in_the_vm_in_the_vm_elsewhere() -> None:
    assert sorted(set(LABS) - set(ALSO_ON_THE_HOST)) == ["fexit-unlink", "kprobe-unlink"]
    assert all(not LABS[slug].runs_on("local") for slug in set(LABS) - set(ALSO_ON_THE_HOST))


def test_it_has_the_six_labs_of_stages_7_to_11() -> None:
    assert sorted(LABS) == sorted(
        [
            "kprobe-unlink",
            "fexit-unlink",
            "ringbuf-exec",
            "tail-call-proto",
            "socket-filter-dns",
            "xdp-lb",
        ]
    )


@pytest.mark.parametrize("slug", sorted(LABS))
def test_it_passes_the_reference_and_fails_the_starter(slug: str) -> None:
    lab = LABS[slug]

    solution = grade(lab, lab.solution, backend="microvm")
    starter = grade(lab, lab.starter, backend="microvm")

    assert solution.passed, _explain(solution)
    assert starter.error is None and starter.stage == "done" and not starter.passed


@pytest.mark.parametrize("path", _cases("ok"), ids=_case_id)
def test_it_passes_a_correct_program_in_the_vm(path: Path) -> None:
    verdict = grade(LABS[path.parent.name], path.read_text(), backend="microvm")

    assert verdict.error is None
    assert verdict.passed, _explain(verdict)


@pytest.mark.parametrize("path", _cases("bad"), ids=_case_id)
def test_it_fails_a_wrong_program_in_the_vm(path: Path) -> None:
    header = path.read_text().split("*/", 1)[0]
    must_fail, stage = EXPECT_FAIL.search(header), EXPECT_STAGE.search(header)

    verdict = grade(LABS[path.parent.name], path.read_text(), backend="microvm")

    assert verdict.error is None
    assert not verdict.passed
    if stage:
        assert verdict.stage == stage.group(1), _explain(verdict)
    if must_fail:
        failed = {c.name for c in verdict.checks if not c.passed}
        wanted = {n.strip() for n in must_fail.group(1).split(",") if n.strip()}
        assert wanted <= failed, _explain(verdict)
