"""Every lab grades other people's programs fairly: correct programs written differently
from the reference pass, typical wrong ones fail the check that catches their mistake.

The programs live in tests/solutions/<slug>/: `ok_*.c` must pass every check; each
`bad_*.c` names in its first comment the checks it must fail (`expect-fail: a, b`) or
the stage it must stop at (`expect-stage: load`). Graded in-process on the real kernel
with the local backend; labs the host kernel cannot run (kprobes, fentry/fexit) are
graded in the microVM (tests/test_lab_solutions_microvm.py grades every lab of stages
7-11 there as well). The generated frames of a lab's differential phase are drawn from a
seed fixed per program, so a run here is repeatable (the site draws a new seed for every
run).
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from labs.grading import grade
from labs.spec import load_lab_spec

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content" / "labs"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"
EXPECT_FAIL = re.compile(r"expect-fail:\s*([\w\-, ]+)")
EXPECT_STAGE = re.compile(r"expect-stage:\s*(\w+)")


def _cases(prefix: str) -> list[Path]:
    return sorted(SOLUTIONS.glob(f"*/{prefix}_*.c"))


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _grade(path: Path):  # type: ignore[no-untyped-def]
    lab = load_lab_spec(CONTENT / path.parent.name)
    seed = zlib.crc32(f"{path.parent.name}/{path.name}".encode())
    backend = "local" if lab.runs_on("local") else "microvm"
    return grade(lab, path.read_text(), backend=backend, seed=seed)


def _explain(verdict) -> str:  # type: ignore[no-untyped-def]
    failed = [f"{c.name}: {c.actual}" for c in verdict.checks if not c.passed]
    return f"{verdict.summary} {verdict.error or ''} " + " | ".join(failed)


@pytest.mark.parametrize("path", _cases("ok"), ids=_case_id)
def test_it_passes_a_correct_program(path: Path) -> None:
    verdict = _grade(path)

    assert verdict.error is None
    assert verdict.passed, _explain(verdict)
    assert verdict.stage == "done"
    assert all(check.passed for check in verdict.checks)


@pytest.mark.parametrize("path", _cases("bad"), ids=_case_id)
def test_it_fails_a_wrong_program_on_the_right_check(path: Path) -> None:
    header = path.read_text().split("*/", 1)[0]
    must_fail = EXPECT_FAIL.search(header)
    stage = EXPECT_STAGE.search(header)
    assert must_fail or stage, f"{path} names no expect-fail or expect-stage"

    verdict = _grade(path)

    assert verdict.error is None
    assert not verdict.passed
    if stage:
        assert verdict.stage == stage.group(1), _explain(verdict)
        assert all(c.actual.startswith("not run: ") for c in verdict.checks)
    if must_fail:
        names = [n.strip() for n in must_fail.group(1).split(",") if n.strip()]
        results = {check.name: check for check in verdict.checks}
        for name in names:
            assert name in results, f"{path} names an unknown check {name!r}"
            assert not results[name].passed, f"{name} passed: {_explain(verdict)}"


@pytest.mark.parametrize("slug", sorted(p.name for p in CONTENT.iterdir() if p.is_dir()))
def test_it_has_two_correct_and_two_wrong_programs_per_lab(slug: str) -> None:
    assert len(list((SOLUTIONS / slug).glob("ok_*.c"))) >= 2
    assert len(list((SOLUTIONS / slug).glob("bad_*.c"))) >= 2
