"""A run's outcome in one sentence, in the reader's language (the grader's own summary is in
the language the run was submitted in, which an instructor reading it may not share)."""

from __future__ import annotations

from labs.grading import words
from labs.models import Run


def run_summary(run: Run) -> str:
    if run.status == Run.ERROR:
        return run.error
    if run.status != Run.DONE:
        return ""
    verdict = run.verdict or {}
    checks = verdict.get("checks") or []
    if not checks or (verdict.get("stage") == "load" and not words.first_reason(checks)):
        # a run on every kernel words each kernel itself; older runs stored no reasons
        return str(verdict.get("summary") or "")
    return words.verdict_summary(verdict)
