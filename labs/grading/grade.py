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

from labs.grading.evaluate import Evaluator, not_run_reason
from labs.grading.jobs import build_job
from labs.grading.verdicts import CheckResult, Verdict
from labs.spec import Lab

EventSink = Callable[[dict[str, Any]], None]


def _ignore(event: dict[str, Any]) -> None:
    return None


def grade(
    lab: Lab,
    source: str,
    backend: str = "local",
    on_event: EventSink | None = None,
    wall_s: float | None = None,
) -> Verdict:
    """The verdict on `source` for `lab`; never raises for a learner's mistakes. `wall_s`
    replaces the sandbox's default wall limit."""
    emit = on_event or _ignore
    started = time.monotonic()
    verdict = Verdict(slug=lab.slug)
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
    disassembly = _Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    evaluator = _run(lab, compiled.object or b"", backend, emit, verdict, wall_s)
    disassembly.flush(emit)
    verdict.timings["run_s"] = round(time.monotonic() - started - verdict.timings["compile_s"], 4)
    verdict.verifier_log = evaluator.verifier_log
    verdict.trace = evaluator.trace_lines
    timed_out = time_limit_reason(verdict.time_limit)
    reason = _("time limit: %(reason)s") % {"reason": timed_out} if timed_out else None
    results = evaluator.finish(verdict.error or reason)
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
    lab: Lab, obj: bytes, backend: str, emit: EventSink, verdict: Verdict, wall_s: float | None
) -> Evaluator:
    """Run the job, relaying each sandbox event before the checks it decides."""
    from sandbox.backends import get_backend

    job, plan = build_job(lab, obj)
    evaluator = Evaluator(lab, plan, emit)

    def relay(event: dict[str, Any]) -> None:
        emit(event)
        evaluator.feed(event)

    if wall_s is not None:
        job.limits.wall_s = wall_s
    try:
        result = get_backend(backend).run(job, on_event=relay)
    except Exception as exc:  # any failure of the sandbox itself is not the learner's
        message = _("sandbox failure: %(kind)s: %(error)s")
        verdict.error = message % {"kind": type(exc).__name__, "error": exc}
        return evaluator
    # Past a time limit, the learner's program ran too long: a verdict, not a failure.
    verdict.time_limit = result.time_limit or (evaluator.load or {}).get("time_limit")
    if result.time_limit is None and (not result.ok or evaluator.sandbox_error):
        verdict.error = (
            result.error or evaluator.sandbox_error or _("the sandbox run did not finish")
        )
    return evaluator


def _stage(evaluator: Evaluator, verdict: Verdict) -> str:
    if evaluator.load is None or evaluator.load_problem:
        return "load"
    return "checks" if verdict.error or verdict.time_limit else "done"


# What each op is, for a time limit's reason.
def _op_words() -> dict[str, str]:
    return {
        "load": _("loading the program"),
        "map_update": _("filling a map"),
        "test_run": _("the test run"),
        "map_dump": _("reading a map"),
        "attach": _("attaching the program"),
        "traffic": _("sending packets"),
        "trigger": _("the trigger command"),
        "trace": _("reading the trace"),
    }


def time_limit_reason(limit: dict[str, Any] | None) -> str | None:
    """Which operation ran too long, in the run's language (like a judge's TLE)."""
    if not limit:
        return None
    if limit.get("what") == "verifier_cpu":
        message = _("the verifier ran longer than %(seconds)s s of CPU time")
        return message % {"seconds": f"{limit.get('limit_s', 0):g}"}
    message = _("%(operation)s (%(id)s) ran longer than %(seconds)s s")
    operation = _op_words().get(str(limit.get("op")), str(limit.get("op")))
    seconds = f"{limit.get('limit_s', 0):g}"
    return message % {"operation": operation, "id": limit.get("id"), "seconds": seconds}


def _not_run(lab: Lab, reason: str, emit: EventSink) -> list[CheckResult]:
    from labs.grading.jobs import plan_ops

    evaluator = Evaluator(lab, plan_ops(lab), emit)
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
    if verdict.time_limit:
        return _("Time limit exceeded: %(reason)s.") % {
            "reason": time_limit_reason(verdict.time_limit)
        }
    if verdict.stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if verdict.stage == "load":
        reason = not_run_reason(verdict.checks[0].actual) if verdict.checks else ""
        return _("Your program was not run: %(reason)s.") % {"reason": reason}
    if verdict.passed:
        return _("All %(total)s checks passed.") % {"total": total}
    return _("%(passed)s of %(total)s checks passed.") % {"passed": passed, "total": total}
