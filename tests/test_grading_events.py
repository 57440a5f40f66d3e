"""grade() streams its events live and in order, on the real kernel (local backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labs.grading import grade, words
from labs.grading.jobs import run_op_id
from labs.spec import load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"


def _grade(slug: str, source: str) -> tuple[Any, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    verdict = grade(
        load_lab_by_slug(CONTENT, slug), source, backend="local", on_event=events.append
    )
    return verdict, events


def test_it_sends_each_check_right_after_the_run_that_decides_it() -> None:
    lab = load_lab_by_slug(CONTENT, "hello-printk")

    verdict, events = _grade("hello-printk", lab.solution)

    assert events[0] == {"event": "stage", "stage": "compiling"}
    assert events[1]["event"] == "compile" and events[1]["ok"]
    assert events[-1] == {
        "event": "verdict",
        "passed": True,
        "stage": "done",
        "summary": verdict.summary,
    }
    kinds = [e["event"] for e in events]
    for check in lab.checks:
        run = next(i for i, e in enumerate(events) if e.get("id") == run_op_id(check))
        assert events[run + 1] == {
            "event": "check",
            **verdict.checks[lab.checks.index(check)].to_dict(),
        }
        assert "trace" in kinds[:run]  # its trace line came before its result
    assert kinds.index("done") < kinds.index("verdict")


def test_it_fails_every_check_as_not_run_on_a_compile_error() -> None:
    verdict, events = _grade("xdp-drop-all", "int main(void) { return XDP_DROP }\n")

    assert verdict.stage == "compile" and not verdict.passed and verdict.error is None
    assert verdict.diagnostics and verdict.diagnostics[0]["severity"] == "error"
    assert [e["event"] for e in events][:2] == ["stage", "compile"]
    assert not any(e["event"] == "load" for e in events)
    checks = [e for e in events if e["event"] == "check"]
    assert len(checks) == len(verdict.checks) > 0
    assert all(words.say(c["actual"]) == "not run: the program did not compile" for c in checks)


def test_it_stops_at_load_with_the_verifier_log_when_rejected() -> None:
    lab = load_lab_by_slug(CONTENT, "verifier-bounds")

    verdict, events = _grade("verifier-bounds", lab.starter)

    assert verdict.stage == "load" and not verdict.passed and verdict.error is None
    assert "invalid access to packet" in verdict.verifier_log
    assert "verifier rejected it at prog.c:" in verdict.summary
    assert not any(e["event"] == "test_run" for e in events)


def test_it_reports_the_sandbox_failing_as_an_error() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-drop-all")

    verdict, events = _grade_with_backend(lab, "no-such-backend")

    assert verdict.error and "sandbox failure" in words.failure_words(verdict.error)
    assert not verdict.passed
    assert all(not c.passed for c in verdict.checks)
    assert events[-1]["event"] == "verdict"


def _grade_with_backend(lab: Any, backend: str) -> tuple[Any, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    return grade(lab, lab.solution, backend=backend, on_event=events.append), events
