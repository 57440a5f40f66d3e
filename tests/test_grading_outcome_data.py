"""Outcomes are data: each check carries `status` (passed, failed, not_run) and, when not
run, a `reason` that says why without words; a rewritten frame's differences are (field,
expected, actual); the words are made from them in any language."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from labs import packets
from labs.grading import grade, words
from labs.spec import load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"


def test_it_marks_checks_after_a_compile_error_as_not_run_with_the_reason() -> None:
    verdict = grade(load_lab_by_slug(CONTENT, "xdp-drop-all"), "int broken(\n")

    assert {c.status for c in verdict.checks} == {"not_run"}
    assert verdict.checks[0].reason == {"code": "compile", "error": None}
    assert verdict.checks[0].actual == "not run: the program did not compile"
    with translation.override("zh-hans"):
        assert words.not_run(verdict.checks[0].reason).startswith("未运行：")


def test_it_marks_decided_checks_passed_or_failed_without_a_reason() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-drop-udp-port")
    source = (SOLUTIONS / "xdp-drop-udp-port" / "bad_ignores_ihl.c").read_text()

    verdict = grade(lab, source)

    statuses = {c.name: c.status for c in verdict.checks}
    assert statuses["udp-9999-options-dropped"] == "failed"
    assert statuses["udp-9999-dropped"] == "passed"
    assert all(c.reason is None for c in verdict.checks)


def test_it_keeps_frame_differences_as_field_expected_actual() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-swap-tx")
    check = next(c for c in lab.checks if c.output is not None and c.output != c.frame)

    found = packets.differences(check.output, check.frame, check.frame)

    assert {d.field for d in found} == {"eth.src", "eth.dst"}
    assert all(d.expected != d.actual and ":" in d.expected for d in found)
    with translation.override("zh-hans"):
        assert "应为" in found[0].words() and found[0].expected in found[0].words()


def test_it_stores_the_differences_of_a_failed_frame_check() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-swap-tx")
    no_swap = "\n".join(
        line for line in lab.solution.splitlines() if "__builtin_memcpy" not in line
    )

    verdict = grade(lab, no_swap)

    rewritten = [c for c in verdict.checks if c.differences]
    assert rewritten, [c.actual for c in verdict.checks]
    assert all(c.status == "failed" for c in rewritten)
    fields = {d["field"] for d in rewritten[0].differences}
    assert fields == {"eth.src", "eth.dst"}
    assert {"field", "expected", "actual"} <= set(rewritten[0].differences[0])
