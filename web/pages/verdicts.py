"""A run's outcome in one sentence, in the reader's language (the grader's own summary is in
the language the run was submitted in, which an instructor reading it may not share)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from labs.models import Run


def run_summary(run: Run) -> str:
    if run.status == Run.ERROR:
        return run.error
    if run.status != Run.DONE:
        return ""
    verdict = run.verdict or {}
    if verdict.get("kernels"):
        return kernels_summary(verdict)
    checks = verdict.get("checks") or []
    passed = sum(bool(c.get("passed")) for c in checks)
    stage = verdict.get("stage")
    if stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if stage == "done" and checks and passed == len(checks):
        return _("All %(total)s checks passed.") % {"total": len(checks)}
    if stage == "done":
        return _("%(passed)s of %(total)s checks passed.") % {
            "passed": passed,
            "total": len(checks),
        }
    return str(verdict.get("summary") or "")


def kernels_summary(verdict: dict) -> str:
    """A run on every kernel: on how many of the kernels the lab is meant for it passed."""
    from labs.kernels import at_least

    minimum = verdict.get("min_kernel") or ""
    counted = [v for name, v in verdict["kernels"].items() if at_least(name, minimum)]
    passed = sum(bool(v.get("passed")) for v in counted)
    if counted and passed == len(counted):
        return _("Passed on all %(total)d kernels.") % {"total": len(counted)}
    return _("Passed on %(passed)d of %(total)d kernels.") % {
        "passed": passed,
        "total": len(counted),
    }
