"""Running a free-form program: compile, run its job in the sandbox, record the outcome."""

from __future__ import annotations

import time
from typing import Any

from labs.grading import words
from labs.grading.grade import (
    Disassembly,
    compile_event,
    compile_program,
    discard,
    prepared_sandbox,
)
from labs.playground.jobs import build_job
from labs.playground.outcome import EventSink, Outcome, _Recorder, summary, summary_facts
from labs.playground.settings import PlaygroundSettings, SettingsError, parse_settings


def run(
    source: str,
    raw_settings: Any,
    backend: str = "local",
    on_event: EventSink | None = None,
    control: Any = None,
    kernel: str = "",
) -> Outcome:
    """Compiles and runs a free-form program; never raises for the program's mistakes.
    `control` (a sandbox.job.RunControl) lets the caller stop a live run early; `kernel` is
    the microVM kernel to run on ("" the default)."""
    emit = on_event or (lambda event: None)
    started = time.monotonic()
    outcome = Outcome()
    try:
        cfg = parse_settings(raw_settings)
    except SettingsError as exc:
        outcome.error = words.failure(words.SETTINGS, detail=str(exc))
        return _finish(outcome, emit, started)
    # a microVM starts restoring while the program compiles (labs/grading/grade.py)
    sandbox = prepared_sandbox(backend, kernel)
    emit({"event": "stage", "stage": "compiling"})
    try:
        compiled = compile_program(source, backend, kernel)
    except Exception as exc:  # the jail itself broke: not the writer's fault
        discard(sandbox)
        outcome.error = words.crash(words.COMPILER_FAILED, exc)
        return _finish(outcome, emit, started)
    outcome.timings["compile_s"] = round(time.monotonic() - started, 4)
    outcome.diagnostics = [d.to_dict() for d in compiled.diagnostics]
    emit(compile_event(compiled))
    if not compiled.ok:
        discard(sandbox)
        return _finish(outcome, emit, started)
    disassembly = Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    recorder = _Recorder(cfg, outcome, emit)
    _run_job(cfg, compiled.object or b"", sandbox, emit, recorder, control)
    disassembly.flush(emit)
    outcome.timings["run_s"] = round(time.monotonic() - started - outcome.timings["compile_s"], 4)
    if not outcome.loaded:
        outcome.stage = "load"
    else:
        outcome.stage = "done" if outcome.error is None else "run"
    return _finish(outcome, emit, started)


def _run_job(
    cfg: PlaygroundSettings,
    obj: bytes,
    sandbox: Any,
    emit: EventSink,
    recorder: _Recorder,
    control: Any = None,
) -> None:
    from labs import verifier

    job = build_job(cfg, obj)

    def relay(event: dict[str, Any]) -> None:
        if event.get("event") == "load" and not event.get("ok"):
            # the same analysis a lab run's panel shows: complaint, line, explanation
            log = str(event.get("verifier_log") or "")
            event = {**event, "rejection": verifier.analyse(log, obj).to_dict()}
            recorder.outcome.rejection = event["rejection"]
        emit(event)
        recorder.feed(event)

    if sandbox is None:
        recorder.outcome.error = words.failure(words.SANDBOX_SETUP)
        return
    try:
        if control is not None:
            result = sandbox.run(job, on_event=relay, control=control)
        else:
            result = sandbox.run(job, on_event=relay)
    except Exception as exc:  # any failure of the sandbox itself is not the writer's
        recorder.outcome.error = words.crash(words.SANDBOX_FAILED, exc)
        return
    if not result.ok or recorder.sandbox_error is not None:
        reported = result.error or recorder.sandbox_error
        recorder.outcome.error = (
            words.failure(words.SANDBOX_ERROR, detail=reported)
            if reported is not None
            else words.failure(words.SANDBOX_UNFINISHED)
        )


def _finish(outcome: Outcome, emit: EventSink, started: float) -> Outcome:
    outcome.timings["total_s"] = round(time.monotonic() - started, 4)
    outcome.summary = summary(summary_facts(outcome.to_dict()))
    emit(outcome.to_event())
    return outcome
