"""`manage.py grade SLUG FILE [--backend B] [--kernel K | --all-kernels] [--json]
[--language en|zh-hans] [--seed N]`: grade a C file. `--seed` replays the generated
frames of a run (its seed is in the report, and stored with every run of the site).

Reads the lab from CONTENT_DIR (not the database). `--kernel 6.12` runs it in a microVM
with that kernel; `--all-kernels` compiles it once and runs it on every kernel whose
image is built (`--json` then prints `{"kernels": {"6.1": <verdict>, ...}}`). Exit
status: 0 every check passed (on every kernel), 1 the submission failed (compile error,
verifier rejection, failed check), 2 usage error (unknown lab or kernel, unreadable
file), 3 the sandbox failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from labs.grading import Verdict, grade, words
from labs.grading.kernels import KernelMatrix, grade_on_kernels
from labs.i18n import pick
from labs.spec import ContentError, load_lab_by_slug

BACKENDS = ("local", "microvm", "docker")
LANGUAGES = ("en", "zh-hans")
EXIT_PASSED, EXIT_FAILED, EXIT_USAGE, EXIT_SANDBOX = 0, 1, 2, 3


def exit_status(verdict: Verdict) -> int:
    if verdict.error:
        return EXIT_SANDBOX
    return EXIT_PASSED if verdict.passed else EXIT_FAILED


def json_report(verdict: Verdict) -> dict[str, Any]:
    """The verdict with each check's expected and actual in words (the active language), and
    the platform's failure (if any) in words, `error`, with its code, `error_code`."""
    data = verdict.to_dict()
    data["error"] = words.failure_words(verdict.error) or None
    data["error_code"] = words.failure_code(verdict.error)
    data["checks"] = [
        {key: said[key] for key in ("name", "passed", "expected", "actual")}
        for said in map(words.check_words, data["checks"])
    ]
    return data


def human_report(verdict: Verdict, language: str = "en") -> list[str]:
    lines = [f"{verdict.slug}: {'PASSED' if verdict.passed else 'FAILED'} ({verdict.summary})"]
    for diagnostic in verdict.diagnostics:
        lines.append(
            f"  {diagnostic['file']}:{diagnostic['line']}:{diagnostic['column']}: "
            f"{diagnostic['severity']}: {diagnostic['message']}"
        )
    if verdict.stage == "load" and verdict.verifier_log:
        lines.append("  verifier log (end):")
        lines.extend(f"    {line}" for line in verdict.verifier_log.splitlines()[-12:])
    for check in verdict.checks:
        mark = "✓" if check.passed else "✗"
        lines.append(f"  {mark} {check.name}: {pick(check.describe, language)}")
        if not check.passed:
            lines.append(f"      expected: {check.expected}")
            lines.append(f"      actual:   {check.actual}")
    if verdict.error:
        lines.append(f"  sandbox error: {words.failure_words(verdict.error)}")
    if verdict.seed is not None:
        lines.append(f"  generated frames: seed {verdict.seed} (replay with --seed {verdict.seed})")
    return lines


class Command(BaseCommand):
    help = "Grade a BPF C file against a lab of CONTENT_DIR."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("slug")
        parser.add_argument("file")
        parser.add_argument("--backend", choices=BACKENDS, default=None)
        kernel = parser.add_mutually_exclusive_group()
        kernel.add_argument("--kernel", help="run on this microVM kernel, e.g. 6.12")
        kernel.add_argument(
            "--all-kernels", action="store_true", help="run on every built microVM kernel"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default="en",
            help="the language of the expected/actual texts and the summary",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help="the seed of the generated frames (default: a new one); replays a run's",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            lab = load_lab_by_slug(Path(settings.CONTENT_DIR), options["slug"])
        except ContentError as error:
            raise CommandError(str(error), returncode=EXIT_USAGE) from error
        try:
            source = Path(options["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            message = f"cannot read {options['file']}: {error}"
            raise CommandError(message, returncode=EXIT_USAGE) from error
        backend = options["backend"] or getattr(settings, "SANDBOX_BACKEND", "local")
        names = self._kernels(options)
        if names:
            if options["backend"] not in (None, "microvm"):
                message = "--kernel and --all-kernels run in microVMs: use --backend microvm"
                raise CommandError(message, returncode=EXIT_USAGE)
            backend = "microvm"
        with translation.override(options["language"]):
            if options["all_kernels"]:
                matrix = grade_on_kernels(lab, source, names, seed=options["seed"])
                self._report_matrix(matrix, options)
            kernel = options["kernel"] or ""
            verdict = grade(lab, source, backend=backend, kernel=kernel, seed=options["seed"])
            if options["json"]:
                self.stdout.write(json.dumps(json_report(verdict), ensure_ascii=False))
            else:
                self.stdout.write("\n".join(human_report(verdict, options["language"])))
        sys.exit(exit_status(verdict))

    def _kernels(self, options: dict[str, Any]) -> list[str]:
        from sandbox.image import built_kernels

        if not (options["kernel"] or options["all_kernels"]):
            return []
        built = list(built_kernels())
        if options["kernel"] and options["kernel"] not in built:
            known = ", ".join(built) or "none (run `python -m sandbox image build`)"
            message = f"no image for kernel {options['kernel']!r}; built: {known}"
            raise CommandError(message, returncode=EXIT_USAGE)
        if not built:
            message = "no kernel image is built: run `python -m sandbox image build`"
            raise CommandError(message, returncode=EXIT_USAGE)
        return [options["kernel"]] if options["kernel"] else built

    def _report_matrix(self, matrix: KernelMatrix, options: dict[str, Any]) -> None:
        if options["json"]:
            kernels = {name: json_report(v) for name, v in matrix.verdicts.items()}
            self.stdout.write(json.dumps({"kernels": kernels}, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(matrix_report(matrix, options["language"])))
        statuses = {exit_status(verdict) for verdict in matrix.counted} or {EXIT_FAILED}
        sys.exit(max(statuses))


def matrix_report(matrix: KernelMatrix, language: str = "en") -> list[str]:
    """Each kernel's report, then one line per row that differs between the kernels."""
    lines: list[str] = []
    for name, verdict in matrix.verdicts.items():
        release = verdict.kernel.get("release", "")
        lines.append(f"== kernel {name}" + (f" ({release})" if release else ""))
        lines.extend(human_report(verdict, language))
    data = matrix.to_dict()
    if data["differences"]:
        lines.append("differences between the kernels:")
    for row in data["differences"]:
        values = []
        for name, verdict in data["kernels"].items():
            if row.startswith("check:"):
                check = next(c for c in verdict["checks"] if c["name"] == row[6:])
                values.append(f"{name}={'pass' if check['passed'] else 'FAIL'}")
            else:
                values.append(f"{name}={verdict['load'].get(row)}")
        lines.append(f"  {row}: " + ", ".join(values))
    said = words.kernels_summary(matrix.kernel_counts())
    lines.append(f"{matrix.slug}: {'PASSED' if matrix.passed else 'FAILED'} ({said})")
    return lines
