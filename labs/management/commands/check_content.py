"""`manage.py check_content [--json] [--backend B]`: every lab's reference solution passes
and its starter fails (or, where `starter_rejected: true`, is rejected by the verifier).
For a lab with generated traffic (`differential:`), the phase checks itself too: the
reference agrees with itself on the generated frames, and the starter (when it loads)
differs from it.

Validates the whole of CONTENT_DIR first (lessons and hints included). Exit status 1 when
the content does not load or any lab is off.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from labs.grading import Verdict, grade
from labs.management.commands.grade import BACKENDS
from labs.spec import DIFFERENTIAL_CHECK, ContentError, LabSpec, load_curriculum

JSON_FIELDS = ("slug", "solution_passed", "starter_failed", "reference_agrees", "starter_differs")


def starter_failed(lab: LabSpec, verdict: Verdict) -> bool:
    """The starter does what the lab promises: rejected by the verifier, or failing a check."""
    if verdict.error:
        return False
    if lab.starter_rejected:
        return verdict.stage == "load" and (verdict.verifier or {}).get("by") == "verifier"
    return verdict.stage == "done" and not verdict.passed


def backend_for(lab: LabSpec, preferred: str) -> str:
    """The site's backend, or for a lab it cannot run (kprobes on the host kernel) the
    first one the lab names: content is checked where it can run."""
    return preferred if lab.runs_on(preferred) else lab.backends[0]


def _generated_check(verdict: Verdict) -> Any:
    return next((c for c in verdict.checks if c.name == DIFFERENTIAL_CHECK), None)


def reference_agrees(lab: LabSpec, solution: Verdict) -> bool | None:
    """The reference against itself on generated frames (None: the lab has none)."""
    if lab.traffic is None:
        return None
    check = _generated_check(solution)
    return bool(check and check.passed and solution.error is None)


def starter_differs(lab: LabSpec, starter: Verdict) -> bool | None:
    """The starter against the reference on generated frames (None: nothing to compare,
    the lab has no generated traffic or its starter is meant to be rejected)."""
    if lab.traffic is None or lab.starter_rejected:
        return None
    check = _generated_check(starter)
    return bool(check and not check.passed and starter.stage == "done" and not starter.error)


def lab_ok(result: dict[str, Any]) -> bool:
    return (
        result["solution_passed"]
        and result["starter_failed"]
        and result["reference_agrees"] is not False
        and result["starter_differs"] is not False
    )


def check_lab(lab: LabSpec, backend: str) -> dict[str, Any]:
    backend = backend_for(lab, backend)
    solution = grade(lab, lab.solution, backend=backend)
    starter = grade(lab, lab.starter, backend=backend)
    failing = [c.name for c in solution.checks if not c.passed]
    return {
        "slug": lab.slug,
        "backend": backend,
        "solution_passed": solution.passed,
        "starter_failed": starter_failed(lab, starter),
        "reference_agrees": reference_agrees(lab, solution),
        "starter_differs": starter_differs(lab, starter),
        "solution_summary": solution.summary,
        "starter_summary": starter.summary,
        "solution_failed_checks": failing,
        "seeds": {"solution": solution.seed, "starter": starter.seed},
    }


class Command(BaseCommand):
    help = "Check that every lab's solution passes and its starter fails."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--backend", choices=BACKENDS, default=None)
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = options["backend"] or getattr(settings, "SANDBOX_BACKEND", "local")
        try:
            curriculum = load_curriculum(Path(settings.CONTENT_DIR))
        except ContentError as error:
            self._report({"labs": [], "error": str(error)}, options["json"])
            sys.exit(1)
        results = [check_lab(lab, backend) for lab in curriculum.labs.values()]
        self._report({"labs": results}, options["json"])
        ok = all(lab_ok(r) for r in results)
        sys.exit(0 if ok else 1)

    def _report(self, report: dict[str, Any], as_json: bool) -> None:
        if as_json:
            labs = [{key: lab[key] for key in JSON_FIELDS} for lab in report["labs"]]
            self.stdout.write(json.dumps({**report, "labs": labs}, ensure_ascii=False))
            return
        if report.get("error"):
            self.stdout.write(f"content error: {report['error']}")
        for lab in report["labs"]:
            self.stdout.write(
                f"{'✓' if lab_ok(lab) else '✗'} {lab['slug']}: solution "
                f"{'passes' if lab['solution_passed'] else 'FAILS: ' + lab['solution_summary']}, "
                f"starter {'fails' if lab['starter_failed'] else 'DOES NOT FAIL: ' + lab['starter_summary']}"
                f"{_generated_words(lab)}"
            )


def _generated_words(lab: dict[str, Any]) -> str:
    if lab["reference_agrees"] is None:
        return ""
    seeds = lab["seeds"]
    agrees = "agrees" if lab["reference_agrees"] else f"DISAGREES (seed {seeds['solution']})"
    words = f"; generated frames: the reference {agrees} with itself"
    if lab["starter_differs"] is not None:
        differs = (
            "differs" if lab["starter_differs"] else f"DOES NOT DIFFER (seed {seeds['starter']})"
        )
        words += f", the starter {differs}"
    return words
