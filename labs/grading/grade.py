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

from django.utils.translation import gettext as _

from labs import verifier
from labs.grading.evaluate import Evaluator, not_run_reason
from labs.grading.jobs import build_job
from labs.grading.verdicts import CheckResult, Verdict
from labs.spec import LabSpec

EventSink = Callable[[dict[str, Any]], None]


def _ignore(event: dict[str, Any]) -> None:
    return None


def grade(
    lab: LabSpec,
    source: str,
    backend: str = "local",
    on_event: EventSink | None = None,
    kernel: str = "",
) -> Verdict:
    """The verdict on `source` for `lab`; never raises for a learner's mistakes.

    kernel: the microVM kernel to run on (a name of sandbox/kernels.lock; "" the default).
    """
    emit = on_event or _ignore
    started = time.monotonic()
    verdict = Verdict(slug=lab.slug)
    compiled = _compile_step(lab, source, verdict, emit, started)
    if isinstance(compiled, Verdict):
        return compiled
    disassembly = _Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    evaluator = _run(lab, compiled.object or b"", backend, emit, verdict, kernel)
    disassembly.flush(emit)
    return _finish_run(verdict, evaluator, emit, started)


def _compile_step(
    lab: LabSpec, source: str, verdict: Verdict, emit: EventSink, started: float
) -> Any:
    """The compiled program, or the finished verdict when it did not compile."""
    emit({"event": "stage", "stage": "compiling"})
    try:
        compiled = _compile(source)
    except Exception as exc:  # the jail itself broke: not the learner's fault
        message = _("compiler failure: %(kind)s: %(error)s")
        verdict.error = message % {"kind": type(exc).__name__, "error": exc}
        results = _not_run(lab, _("the compiler could not run"), emit)
        return _finish(verdict, results, "compile", emit, started)
    verdict.timings["compile_s"] = round(time.monotonic() - started, 4)
    verdict.diagnostics = [d.to_dict() for d in compiled.diagnostics]
    emit(_compile_event(compiled))
    if not compiled.ok:
        reason = _("the program did not compile")
        if compiled.error:
            reason = _("the program did not compile (%(error)s)") % {"error": compiled.error}
        return _finish(verdict, _not_run(lab, reason, emit), "compile", emit, started)
    return compiled


def _finish_run(verdict: Verdict, evaluator: Evaluator, emit: EventSink, started: float) -> Verdict:
    compile_s = verdict.timings.get("compile_s", 0.0)
    verdict.timings["run_s"] = round(time.monotonic() - started - compile_s, 4)
    verdict.verifier_log = evaluator.verifier_log
    verdict.verifier = evaluator.rejection
    verdict.trace = evaluator.trace_lines
    results = evaluator.finish(verdict.error)
    return _finish(verdict, results, _stage(evaluator, verdict), emit, started)


def _compile(source: str) -> Any:
    from sandbox.compile import compile_source

    # returns once clang is done; llvm-objdump goes on in its own jail (_Disassembly)
    return compile_source(source, disassemble="later")


# How long the verdict waits for a disassembly still running after the sandbox run.
DISASSEMBLY_WAIT_S = 15.0


class _Disassembly:
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


def _compile_event(compiled: Any) -> dict[str, Any]:
    return {
        "event": "compile",
        "ok": compiled.ok,
        "diagnostics": [d.to_dict() for d in compiled.diagnostics],
        "disassembly": compiled.disassembly,
        "output": compiled.output,
        "error": compiled.error,
        "duration_s": compiled.duration_s,
    }


def _run(
    lab: LabSpec, obj: bytes, backend: str, emit: EventSink, verdict: Verdict, kernel: str = ""
) -> Evaluator:
    """Run the job, relaying each sandbox event before the checks it decides."""
    from sandbox.backends import get_backend

    job, layout = build_job(lab, obj)
    evaluator = Evaluator(lab, layout, emit)

    def relay(event: dict[str, Any]) -> None:
        if event.get("event") == "stage" and event.get("kernel"):
            verdict.kernel = {"name": event["kernel"], "release": event.get("release", "")}
        if event.get("event") == "load" and not event.get("ok"):
            # the panel, the verdict and the checks' words all read this one analysis
            log = str(event.get("verifier_log") or "")
            event = {**event, "rejection": verifier.analyse(log, obj).to_dict()}
        emit(event)
        evaluator.feed(event)

    options = {"kernel": kernel} if kernel and backend == "microvm" else {}
    try:
        result = get_backend(backend, **options).run(job, on_event=relay)
    except Exception as exc:  # any failure of the sandbox itself is not the learner's
        message = _("sandbox failure: %(kind)s: %(error)s")
        verdict.error = message % {"kind": type(exc).__name__, "error": exc}
        return evaluator
    if not result.ok or evaluator.sandbox_error:
        verdict.error = (
            result.error or evaluator.sandbox_error or _("the sandbox run did not finish")
        )
    return evaluator


def _stage(evaluator: Evaluator, verdict: Verdict) -> str:
    if evaluator.load is None or evaluator.load_problem:
        return "load"
    return "checks" if verdict.error else "done"


def _not_run(lab: LabSpec, reason: str, emit: EventSink) -> list[CheckResult]:
    from labs.grading.jobs import lay_out_job

    evaluator = Evaluator(lab, lay_out_job(lab), emit)
    return evaluator.finish(reason)


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
    passed = sum(r.passed for r in verdict.checks)
    total = len(verdict.checks)
    if verdict.error:
        return _("The sandbox failed: %(error)s") % {"error": verdict.error}
    if verdict.stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if verdict.stage == "load":
        reason = not_run_reason(verdict.checks[0].actual) if verdict.checks else ""
        return _("Your program was not run: %(reason)s.") % {"reason": reason}
    if verdict.passed:
        return _("All %(total)s checks passed.") % {"total": total}
    return _("%(passed)s of %(total)s checks passed.") % {"passed": passed, "total": total}
