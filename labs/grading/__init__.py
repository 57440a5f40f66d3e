"""Grading: a lab's checks -> one sandbox Job -> one verdict per check.

`grade(lab, source)` is the entry point; `build_job` and `Evaluator` are its parts.
"""

from __future__ import annotations

from labs.grading.evaluate import Evaluator
from labs.grading.grade import grade
from labs.grading.jobs import Plan, build_job, plan_ops
from labs.grading.verdicts import CheckResult, Verdict

__all__ = ["CheckResult", "Evaluator", "Plan", "Verdict", "build_job", "grade", "plan_ops"]
