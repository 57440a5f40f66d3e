"""`grade_on_kernels()`: compile once, run the same object on several microVM kernels.

Each kernel gets its own fresh VM and its own verdict; the runs go in parallel, as many at
a time as the machine has cores (under TCG one VM keeps one core busy). Their events are
relayed from the calling thread, in arrival order, each tagged with its `kernel`; each
kernel ends with its own `verdict` event (tagged), and the whole with a `verdict` event
carrying `kernel_counts` and `kernels` (name -> its outcome as data, `kernel_outcome`).

The result, `KernelMatrix`, answers like a Verdict (`passed`, `stage`, `error`,
`to_dict()`, `to_event()`), so a run stores it the same way; its dict is
`{"kernels": {"6.1": <verdict dict>, ...}, "kernel_counts": {...}, "differences": [...],
...}`. Neither holds a sentence of the whole: readers word it (words.kernels_summary) in
their own language.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

from labs.grading import differential, words
from labs.grading.grade import (
    Disassembly,
    EventSink,
    compile_step,
    discard,
    finish_run,
    for_run,
    ignore_event,
    prepared_sandbox,
    run_in_sandbox,
)
from labs.grading.verdicts import STAGES, Verdict
from labs.kernels import fits
from labs.spec import LabSpec
from labs.verifier import LOADER, VERIFIER
from sandbox.kernels import version_key

# Rows of the matrix that may differ between kernels (besides each check's verdict).
LOAD_ROWS = ("loaded", "complaint", "line", "insns", "total_states", "peak_states")


@dataclass
class KernelMatrix:
    slug: str
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # oldest kernel first
    min_kernel: str = ""
    max_kernel: str = ""

    @property
    def counted(self) -> list[Verdict]:
        """The kernels the lab is meant for (min_kernel to max_kernel) decide `passed`."""
        return [
            v for name, v in self.verdicts.items() if fits(name, self.min_kernel, self.max_kernel)
        ]

    @property
    def passed(self) -> bool:
        return bool(self.counted) and all(verdict.passed for verdict in self.counted)

    def kernel_counts(self) -> dict[str, int]:
        """On how many of the kernels the lab is meant for it passed (`passed`, `total`)."""
        counted = self.counted
        return {"passed": sum(v.passed for v in counted), "total": len(counted)}

    @property
    def stage(self) -> str:
        stages = [STAGES.index(v.stage) for v in self.verdicts.values()] or [0]
        return STAGES[max(stages)]

    @property
    def error(self) -> dict[str, Any] | None:
        """Only when the sandbox failed on every kernel: otherwise each column says so."""
        errors = [v.error for v in self.verdicts.values()]
        if not errors or any(error is None for error in errors):
            return None
        kernels = {name: v.error for name, v in self.verdicts.items()}
        return words.failure(words.EVERY_KERNEL, kernels=kernels)

    def to_dict(self) -> dict[str, Any]:
        kernels = {name: verdict.to_dict() for name, verdict in self.verdicts.items()}
        return {
            "slug": self.slug,
            "passed": self.passed,
            "stage": self.stage,
            "kernel_counts": self.kernel_counts(),
            "min_kernel": self.min_kernel,
            "max_kernel": self.max_kernel,
            "kernels": kernels,
            "differences": differences(kernels),
        }

    def to_event(self) -> dict[str, Any]:
        return {
            "event": "verdict",
            "passed": self.passed,
            "stage": self.stage,
            "kernel_counts": self.kernel_counts(),
            "kernels": {
                name: kernel_outcome(v, fits(name, self.min_kernel, self.max_kernel))
                for name, v in self.verdicts.items()
            },
        }


def kernel_outcome(verdict: Verdict, counted: bool) -> dict[str, Any]:
    """One kernel's outcome in the whole's `verdict` event, as data: whether it `passed`,
    its `stage`, whether it is `counted` (the lab is meant for it), its checks' `counts`,
    why they were not run (`reason`), the class of a `verifier` rejection or `load_failure`
    (or None), and the platform's failure (`error`, or None)."""
    return {
        "passed": verdict.passed,
        "stage": verdict.stage,
        "counted": counted,
        "counts": verdict.counts(),
        "reason": verdict.reason(),
        "verifier": (verdict.rejection_summary(VERIFIER) or {}).get("class"),
        "load_failure": (verdict.rejection_summary(LOADER) or {}).get("class"),
        "error": verdict.error,
    }


def differences(kernels: dict[str, dict[str, Any]]) -> list[str]:
    """The rows whose value is not the same on every kernel: "loaded", "insns", ...,
    and "check:<name>" for a check passed on some kernels only."""
    if len(kernels) < 2:
        return []
    verdicts = list(kernels.values())
    rows = [row for row in LOAD_ROWS if len({str(v["load"].get(row)) for v in verdicts}) > 1]
    names = [check["name"] for check in verdicts[0]["checks"]]
    for name in names:
        outcomes = {
            next((c["passed"] for c in v["checks"] if c["name"] == name), None) for v in verdicts
        }
        if len(outcomes) > 1:
            rows.append(f"check:{name}")
    return rows


def parallelism(count: int) -> int:
    return max(1, min(count, os.cpu_count() or 1))


def grade_on_kernels(
    lab: LabSpec,
    source: str,
    kernels: list[str],
    backend: str = "microvm",
    on_event: EventSink | None = None,
    seed: int | None = None,
) -> KernelMatrix:
    """One verdict per kernel for `source`, compiled once; never raises for the learner.
    A lab's generated frames (`seed`, a new one when None) are the same on every kernel."""
    emit = on_event or ignore_event
    started = time.monotonic()
    names = sorted(kernels, key=version_key)
    matrix = KernelMatrix(slug=lab.slug, min_kernel=lab.min_kernel, max_kernel=lab.max_kernel)
    first = Verdict(slug=lab.slug)
    # every kernel's VM restores while the program compiles
    sandboxes = {name: prepared_sandbox(backend, name) for name in names}
    lab, seed = for_run(lab, seed)
    phases = _phases(lab, names, seed)
    first.seed = seed
    compiled = compile_step(lab, source, first, emit, started, backend)
    if isinstance(compiled, Verdict):  # did not compile: the same on every kernel
        for sandbox in sandboxes.values():
            discard(sandbox)
        matrix.verdicts = {name: compiled for name in names}
        return _finish(matrix, emit)
    disassembly = Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    matrix.verdicts = {name: _copy_compile(first, name) for name in names}
    _run_all(lab, compiled.object or b"", sandboxes, phases, matrix, emit, started)
    disassembly.flush(emit)
    return _finish(matrix, emit)


def _phases(lab: LabSpec, names: list[str], seed: int | None = None) -> dict[str, Any]:
    """A lab's differential phase for each kernel (each judges its own run), all drawing
    the same frames from one seed (`seed`, a new one when None); None for a lab without
    one."""
    first = differential.prepare(lab, seed)
    if first is None:
        return dict.fromkeys(names)
    return {
        name: first if i == 0 else differential.prepare(lab, first.seed)
        for i, name in enumerate(names)
    }


def _copy_compile(first: Verdict, name: str) -> Verdict:
    verdict = Verdict(slug=first.slug, diagnostics=first.diagnostics, seed=first.seed)
    verdict.timings["compile_s"] = first.timings.get("compile_s", 0.0)
    verdict.kernel = {"name": name, "release": ""}
    return verdict


Done = object()


def _run_all(
    lab: LabSpec,
    obj: bytes,
    sandboxes: dict[str, Any],
    phases: dict[str, Any],
    matrix: KernelMatrix,
    emit: EventSink,
    started: float,
) -> None:
    """Runs every kernel's job on worker threads; relays their events from this thread."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    language = translation.get_language()
    pending = list(matrix.verdicts)
    slots = threading.Semaphore(parallelism(len(pending)))

    def work(name: str) -> None:
        with slots, translation.override(language):
            verdict = matrix.verdicts[name]

            def tagged(event: dict[str, Any]) -> None:
                events.put((name, {**event, "kernel": name}))

            try:
                phase = phases[name]
                verdict.seed = phase.seed if phase else verdict.seed
                evaluator = run_in_sandbox(lab, obj, sandboxes[name], tagged, verdict, phase)
                finish_run(verdict, evaluator, tagged, started, phase)
            except Exception as exc:  # noqa: BLE001 - one kernel's failure is its column's
                verdict.error = words.crash(words.SANDBOX_FAILED, exc)
            finally:
                events.put((name, Done))

    threads = [threading.Thread(target=work, args=(name,), daemon=True) for name in pending]
    for thread in threads:
        thread.start()
    running = len(threads)
    while running:
        _name, event = events.get()
        if event is Done:
            running -= 1
        else:
            emit(event)
    for thread in threads:
        thread.join()


def _finish(matrix: KernelMatrix, emit: EventSink) -> KernelMatrix:
    emit(matrix.to_event())
    return matrix
