"""`grade()`: compile a submission, run the lab's Job in a sandbox, return the verdict.

Events go to `on_event` live and in order (docs/protocol.md, "Run events (grader)"):
stage compiling, compile, every sandbox event, a check event as soon as each check is
decided, and the verdict. The disassembly is kept off the way to the verdict as far as
it can be: the compile event carries `disassembly: ""`, llvm-objdump runs in its own
jail (set up while clang ran) during the sandbox run, and a `disassembly` event follows
as soon as it is ready, before the verdict. All events are emitted from the calling
thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from labs import verifier
from labs.grading import differential, words
from labs.grading.evaluate import Evaluator
from labs.grading.jobs import build_job
from labs.grading.verdicts import CheckResult, Verdict
from labs.spec import BACKENDS, LabSpec
from sandbox import objinfo

EventSink = Callable[[dict[str, Any]], None]


def ignore_event(event: dict[str, Any]) -> None:
    """The event sink of a caller that does not listen."""
    return None


def grade(
    lab: LabSpec,
    source: str,
    backend: str = "local",
    on_event: EventSink | None = None,
    kernel: str = "",
    wall_s: float | None = None,
    seed: int | None = None,
) -> Verdict:
    """The verdict on `source` for `lab`; never raises for a learner's mistakes.

    kernel: the microVM kernel to run on (a name of sandbox/kernels.lock; "" the default).
    wall_s: the run's time budget in the sandbox (None: the sandbox's default).
    seed: draws the generated frames of a lab's differential phase (a new one when None;
    the verdict keeps it, so the same seed replays the same frames).
    """
    emit = on_event or ignore_event
    started = time.monotonic()
    verdict = Verdict(slug=lab.slug)
    sandbox = prepared_sandbox(backend, kernel)
    lab, seed = for_run(lab, seed)
    # the reference compiles (or is found compiled) while the learner's program compiles
    phase = differential.prepare(lab, seed)
    verdict.seed = seed
    compiled = compile_step(lab, source, verdict, emit, started, backend, kernel)
    if isinstance(compiled, Verdict):
        discard(sandbox)
        return compiled
    disassembly = Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    evaluator = run_in_sandbox(lab, compiled.object or b"", sandbox, emit, verdict, phase, wall_s)
    disassembly.flush(emit)
    return finish_run(verdict, evaluator, emit, started, phase)


def for_run(lab: LabSpec, seed: int | None) -> tuple[LabSpec, int | None]:
    """The lab as one run sees it, and the run's seed: a lab with generated frames or
    drawn values (`draws:`, e.g. the backends a load balancer reads) gets them from the
    seed, a new one when None; the same seed replays the same run."""
    if lab.traffic is None and not lab.draws:
        return lab, None
    seed = differential.new_seed() if seed is None else seed
    return lab.drawn(seed), seed


def prepared_sandbox(backend: str, kernel: str = "") -> Any:
    """The backend a run will use, already getting ready: a microVM starts restoring its
    snapshot now, while the program compiles (None when the backend cannot be made: the
    run then says why)."""
    from sandbox.backends import get_backend

    options = {"kernel": kernel} if kernel and backend == "microvm" else {}
    try:
        sandbox = get_backend(backend, **options)
    except Exception:  # noqa: BLE001 - run_in_sandbox reports it as the sandbox's failure
        return None
    prepare = getattr(sandbox, "prepare", None)
    if prepare is not None:
        prepare()
    return sandbox


def discard(sandbox: Any) -> None:
    """Lets go of what prepared_sandbox() started, when no run will use it."""
    release = getattr(sandbox, "discard", None)
    if release is not None:
        release()


def compile_step(
    lab: LabSpec,
    source: str,
    verdict: Verdict,
    emit: EventSink,
    started: float,
    backend: str = "local",
    kernel: str = "",
) -> Any:
    """The compiled program, or the finished verdict when it did not compile (or the
    backend cannot run the lab at all)."""
    emit({"event": "stage", "stage": "compiling"})
    if backend in BACKENDS and not lab.runs_on(backend):
        reason = {"code": words.UNAVAILABLE, "needed": list(lab.backends), "backend": backend}
        verdict.error = reason
        results = _not_run(lab, reason, emit)
        return _finish(verdict, results, "compile", emit, started)
    try:
        compiled = compile_program(source, backend, kernel)
    except Exception as exc:  # the jail itself broke: not the learner's fault
        reraise_if_stopped(exc)
        verdict.error = words.crash(words.COMPILER_FAILED, exc)
        results = _not_run(lab, {"code": words.COMPILER}, emit, verdict.seed)
        return _finish(verdict, results, "compile", emit, started)
    verdict.timings["compile_s"] = round(time.monotonic() - started, 4)
    verdict.diagnostics = [d.to_dict() for d in compiled.diagnostics]
    emit(compile_event(compiled))
    if not compiled.ok:
        reason = {"code": words.COMPILE, "error": compiled.error}
        results = _not_run(lab, reason, emit, verdict.seed)
        return _finish(verdict, results, "compile", emit, started)
    return compiled


def finish_run(
    verdict: Verdict,
    evaluator: Evaluator,
    emit: EventSink,
    started: float,
    phase: differential.Pending | None = None,
) -> Verdict:
    """The verdict once the sandbox run is over: its checks decided, its timings, the
    verdict event sent."""
    compile_s = verdict.timings.get("compile_s", 0.0)
    verdict.timings["run_s"] = round(time.monotonic() - started - compile_s, 4)
    verdict.verifier_log = evaluator.verifier_log
    verdict.verifier = evaluator.rejection
    verdict.trace = evaluator.trace_lines
    timed_out = {"code": words.TIME_LIMIT, **verdict.time_limit} if verdict.time_limit else None
    results = evaluator.finish(words.sandbox_reason(verdict.error) or timed_out)
    if phase is not None and phase.judge is not None:
        results.append(
            phase.judge.finish(
                evaluator.load_reason or words.sandbox_reason(verdict.error) or timed_out
            )
        )
        verdict.differential = phase.judge.data()
    return _finish(verdict, results, _stage(evaluator, verdict), emit, started)


def compile_program(source: str, backend: str = "local", kernel: str = "") -> Any:
    """Compiles `source` with the headers of the kernel it will run on; the grader's and
    the playground's one way to compile a program (its disassembly still pending)."""
    from sandbox.backends import get_backend
    from sandbox.compile import compile_source

    # `#include "vmlinux.h"` finds the types of the kernel the program will run on (for
    # several kernels, the default one's: CO-RE relocates the object for the others); an
    # unknown backend fails at the run, as a sandbox failure
    options = {"kernel": kernel} if kernel and backend == "microvm" else {}
    headers = get_backend(backend, **options).kernel_headers() if backend in BACKENDS else None
    # returns once clang is done; llvm-objdump goes on in its own jail (Disassembly)
    return compile_source(source, disassemble="later", kernel_headers=headers)


# How long the verdict waits for a disassembly still running after the sandbox run.
DISASSEMBLY_WAIT_S = 15.0


class Disassembly:
    """The compile's pending disassembly; its event is sent by the grading thread, at
    the first event boundary after it is ready, or at the end of the run."""

    def __init__(self, pending: Any) -> None:
        self.pending = pending  # a sandbox.compile.PendingDisassembly, or None
        self.sent = False

    def ready(self) -> bool:
        return self.pending is None or self.pending.done()

    def before(self, emit: EventSink) -> EventSink:
        """emit, preceded by the disassembly event once it is ready."""

        def emit_with_disassembly(event: dict[str, Any]) -> None:
            # never between an op's result and the check it decides
            if not self.sent and event["event"] != "check" and self.ready():
                self.flush(emit)
            emit(event)

        return emit_with_disassembly

    def flush(self, emit: EventSink) -> None:
        if self.sent:
            return
        self.sent = True
        text = self.pending.result(DISASSEMBLY_WAIT_S) if self.pending is not None else ""
        emit({"event": "disassembly", "text": text})


def compile_event(compiled: Any) -> dict[str, Any]:
    """The `compile` event of a run (the grader's and the playground's)."""
    return {
        "event": "compile",
        "ok": compiled.ok,
        "diagnostics": [d.to_dict() for d in compiled.diagnostics],
        "disassembly": compiled.disassembly,
        "output": compiled.output,
        "error": compiled.error,
        "duration_s": compiled.duration_s,
    }


def run_in_sandbox(
    lab: LabSpec,
    obj: bytes,
    sandbox: Any,
    emit: EventSink,
    verdict: Verdict,
    phase: differential.Pending | None = None,
    wall_s: float | None = None,
) -> Evaluator:
    """Run the job in the prepared sandbox, relaying each sandbox event before the checks
    it decides; the events of the differential phase (if the lab has one) go to its judge
    only."""
    job, layout = build_job(lab, obj)
    evaluator = Evaluator(lab, layout, emit)
    judge = phase.attach(job, emit, evaluator) if phase is not None else None
    if phase is not None and phase.problem:
        verdict.error = phase.problem

    def relay(event: dict[str, Any]) -> None:
        if judge is not None and differential.owns(event):
            judge.feed(event)
            return
        if judge is not None and event.get("event") == "truncated":
            judge.on_truncated(event)
        if event.get("event") == "stage" and event.get("kernel"):
            verdict.kernel = {"name": event["kernel"], "release": event.get("release", "")}
        if event.get("event") == "load" and event.get("ok"):
            event = {**event, "license": objinfo.license(obj)}  # the evaluator judges it
        if event.get("event") == "load" and not event.get("ok"):
            # the panel, the verdict and the checks' words all read this one analysis
            log = str(event.get("verifier_log") or "")
            event = {**event, "rejection": verifier.analyse(log, obj).to_dict()}
        emit(event)
        evaluator.feed(event)

    if wall_s is not None:
        job.limits.wall_s = wall_s
    if sandbox is None:
        verdict.error = words.failure(words.SANDBOX_SETUP)
        return evaluator
    try:
        result = sandbox.run(job, on_event=relay)
    except Exception as exc:  # any failure of the sandbox itself is not the learner's
        reraise_if_stopped(exc)
        verdict.error = words.crash(words.SANDBOX_FAILED, exc)
        return evaluator
    # Past a time limit the learner's program ran too long: a verdict, not a failure.
    verdict.time_limit = result.time_limit or (evaluator.load or {}).get("time_limit")
    if result.time_limit is None and (not result.ok or evaluator.sandbox_error):
        reported = result.error and words.failure(words.SANDBOX_ERROR, detail=result.error)
        verdict.error = (
            reported or evaluator.sandbox_error or words.failure(words.SANDBOX_UNFINISHED)
        )
    return evaluator


def reraise_if_stopped(exc: Exception) -> None:
    """Celery's soft time limit interrupts the grading wherever it is: it is the worker's
    to report (labs/tasks.py), not a failure of the compiler or the sandbox."""
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(exc, SoftTimeLimitExceeded):
        raise exc


def _stage(evaluator: Evaluator, verdict: Verdict) -> str:
    if evaluator.load is None or evaluator.load_problem:
        return "load"
    return "checks" if verdict.error or verdict.time_limit else "done"


def _not_run(
    lab: LabSpec, reason: dict[str, Any], emit: EventSink, seed: int | None = None
) -> list[CheckResult]:
    from labs.grading.jobs import lay_out_job

    evaluator = Evaluator(lab, lay_out_job(lab), emit)
    results = evaluator.finish(reason)
    if lab.traffic is not None and seed is not None:
        check = differential.not_run_check(lab, seed, reason)
        emit(check.to_event())
        results.append(check)
    return results


def _finish(
    verdict: Verdict, results: list[CheckResult], stage: str, emit: EventSink, started: float
) -> Verdict:
    verdict.checks = results
    verdict.stage = stage
    verdict.passed = stage == "done" and verdict.error is None and all(r.passed for r in results)
    verdict.summary = _summary(verdict)
    verdict.timings["total_s"] = round(time.monotonic() - started, 4)
    emit(verdict.to_event())
    return verdict


def _summary(verdict: Verdict) -> str:
    return words.summary(
        verdict.stage, verdict.passed, verdict.counts(), verdict.reason(), verdict.error
    )
