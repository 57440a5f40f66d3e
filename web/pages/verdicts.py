"""A run's outcome in one sentence, in the reader's language (the grader's own summary is in
the language the run was submitted in, which an instructor reading it may not share)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from labs.models import Run
from labs.queue import waiting


def run_summary(run: Run) -> str:
    if run.status == Run.ERROR:
        return run.error
    if run.status != Run.DONE:
        return ""
    verdict = run.verdict or {}
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


def waiting_text(run: Run) -> str:
    """Why a queued run has not started, in the reader's language ("" if it is not queued)."""
    from web.pages.strings import waiting_strings

    why = waiting(run)
    if why is None:
        return ""
    return waiting_strings()[why.reason] % {"ahead": why.ahead}
