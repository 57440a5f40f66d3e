"""`manage.py check_content [--json] [--backend B]`: every lab's reference solution passes
and its starter fails (or, where `starter_rejected: true`, is rejected by the verifier).

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
from labs.spec import ContentError, LabSpec, load_curriculum

JSON_FIELDS = ("slug", "solution_passed", "starter_failed")


def starter_failed(lab: LabSpec, verdict: Verdict) -> bool:
    """The starter does what the lab promises: rejected by the verifier, or failing a check."""
    if verdict.error:
        return False
    if lab.starter_rejected:
        return verdict.stage == "load" and (verdict.verifier or {}).get("by") == "verifier"
    return verdict.stage == "done" and not verdict.passed


def check_lab(lab: LabSpec, backend: str) -> dict[str, Any]:
    solution = grade(lab, lab.solution, backend=backend)
    starter = grade(lab, lab.starter, backend=backend)
    failing = [c.name for c in solution.checks if not c.passed]
    return {
        "slug": lab.slug,
        "solution_passed": solution.passed,
        "starter_failed": starter_failed(lab, starter),
        "solution_summary": solution.summary,
        "starter_summary": starter.summary,
        "solution_failed_checks": failing,
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
        ok = all(r["solution_passed"] and r["starter_failed"] for r in results)
        sys.exit(0 if ok else 1)

    def _report(self, report: dict[str, Any], as_json: bool) -> None:
        if as_json:
            labs = [{key: lab[key] for key in JSON_FIELDS} for lab in report["labs"]]
            self.stdout.write(json.dumps({**report, "labs": labs}, ensure_ascii=False))
            return
        if report.get("error"):
            self.stdout.write(f"content error: {report['error']}")
        for lab in report["labs"]:
            good = lab["solution_passed"] and lab["starter_failed"]
            self.stdout.write(
                f"{'✓' if good else '✗'} {lab['slug']}: solution "
                f"{'passes' if lab['solution_passed'] else 'FAILS: ' + lab['solution_summary']}, "
                f"starter {'fails' if lab['starter_failed'] else 'DOES NOT FAIL: ' + lab['starter_summary']}"
            )
