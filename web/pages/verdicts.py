"""A run's outcome in one sentence, in the reader's language (the grader's own summary is in
the language the run was submitted in, which an instructor reading it may not share)."""

from __future__ import annotations

from labs.grading import words
from labs.models import Run
from labs.queue import waiting


def run_summary(run: Run) -> str:
    if run.status == Run.ERROR:
        return run.error_words
    if run.status != Run.DONE:
        return ""
    verdict = run.verdict or {}
    if verdict.get("kind") == "playground":  # a free-form run: its sentence from its facts
        from labs.playground import summary, summary_facts

        return summary(summary_facts(verdict))
    if verdict.get("kernels"):
        return kernels_summary(verdict)
    return words.stored_summary(verdict)


def kernels_summary(verdict: dict) -> str:
    """A run on every kernel: on how many of the kernels the lab is meant for it passed."""
    return words.kernels_summary(verdict.get("kernel_counts") or kernel_counts(verdict))


def kernel_counts(verdict: dict) -> dict[str, int]:
    """`kernel_counts` of a run on every kernel stored before it carried them (its whole
    was a sentence then, in the run's language): counted again from each kernel's verdict."""
    from labs.kernels import fits

    minimum, maximum = verdict.get("min_kernel") or "", verdict.get("max_kernel") or ""
    counted = [v for name, v in verdict["kernels"].items() if fits(name, minimum, maximum)]
    return {"passed": sum(bool(v.get("passed")) for v in counted), "total": len(counted)}


def waiting_text(run: Run) -> str:
    """Why a queued run has not started, in the reader's language ("" if it is not queued)."""
    from web.pages.strings import waiting_strings

    why = waiting(run)
    if why is None:
        return ""
    return waiting_strings()[why.reason] % {"ahead": why.ahead}
