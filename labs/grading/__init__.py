"""Grading: a lab's checks -> one sandbox Job -> one verdict per check.

`grade(lab, source)` is the entry point; `build_job` and `Evaluator` are its parts.
"""

from __future__ import annotations

from labs.grading.evaluate import Evaluator
from labs.grading.grade import grade
from labs.grading.jobs import JobLayout, build_job, lay_out_job
from labs.grading.verdicts import CheckResult, Verdict

__all__ = ["CheckResult", "Evaluator", "JobLayout", "Verdict", "build_job", "grade", "lay_out_job"]
