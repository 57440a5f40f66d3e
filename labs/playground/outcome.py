"""What a free-form run did, read from its events, and its summary in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from labs.grading import words
from labs.playground.settings import PlaygroundSettings
from labs.spec import ACTIONS_BY_TYPE

EventSink = Callable[[dict[str, Any]], None]
# How far a free-form run got: not compiled, rejected at load, the sandbox stopped, done.
STAGES = ("compile", "load", "run", "done")


@dataclass
class Outcome:
    """What a free-form run did; `passed` is always None (there are no checks)."""

    stage: str = "compile"
    loaded: bool = False
    packets: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    verifier_log: str = ""
    trace: list[str] = field(default_factory=list)
    maps: dict[str, Any] = field(default_factory=dict)
    live: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: dict[str, Any] | None = None  # the platform failed: labs.grading.words.failure
    summary: str = ""
    rejection: dict[str, Any] | None = None  # labs.verifier's analysis of a rejection
    passed: None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "playground",
            "stage": self.stage,
            "passed": None,
            "loaded": self.loaded,
            "summary": self.summary,
            "packets": self.packets,
            "diagnostics": self.diagnostics,
            "verifier_log": self.verifier_log,
            # the verifier's verdict, or a refusal before the verifier ran (labs.verifier)
            "verifier": self.rejection if self._refused_by() == "verifier" else None,
            "load_failure": self.rejection if self._refused_by() == "loader" else None,
            "trace": self.trace,
            "maps": self.maps,
            "live": self.live,
            "timings": self.timings,
            "error": self.error,
        }

    def _refused_by(self) -> str | None:
        return str((self.rejection or {}).get("by") or "verifier") if self.rejection else None

    def to_event(self) -> dict[str, Any]:
        return {
            "event": "verdict",
            "kind": "playground",
            "passed": None,
            "stage": self.stage,
            "summary": self.summary,
            "facts": summary_facts(self.to_dict()),
        }


def action_name(hook: str, retval: int) -> str:
    """XDP and TC return values by name; a socket filter returns how many bytes it keeps."""
    if hook == "socket":
        return _("drop") if retval == 0 else _("keep %(n)d bytes") % {"n": retval}
    signed = retval - 2**32 if retval >= 2**31 else retval
    for name, value in ACTIONS_BY_TYPE.get(hook, {}).items():
        if value == signed:
            return name
    return str(signed)


class _Recorder:
    """Reads the sandbox events into the outcome, adding a `packet` event after each test run."""

    def __init__(self, cfg: PlaygroundSettings, outcome: Outcome, emit: EventSink) -> None:
        self.cfg = cfg
        self.outcome = outcome
        self.emit = emit
        self.sandbox_error: str | None = None
        self.done = False

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "load":
            self.outcome.loaded = bool(event.get("ok"))
            self.outcome.verifier_log = str(event.get("verifier_log") or "")
        elif kind == "test_run":
            self._packet(event)
        elif kind == "trace":
            self.outcome.trace.append(str(event.get("line", "")))
        elif kind == "map_dump" and event.get("ok"):
            self.outcome.maps[str(event.get("map"))] = {
                k: event.get(k) for k in ("type", "key_size", "value_size", "percpu", "entries")
            }
        elif kind == "live":
            self.outcome.live = {
                k: event.get(k) for k in ("sent", "triggers", "ticks", "stopped", "elapsed_ms")
            }
        elif kind == "error":
            self.sandbox_error = str(event.get("message") or "")
        elif kind == "done":
            self.done = True

    def _packet(self, event: dict[str, Any]) -> None:
        index = int(str(event.get("id", "packet:0")).split(":")[-1])
        frame = self.cfg.frames[index] if index < len(self.cfg.frames) else b""
        result: dict[str, Any] = {"event": "packet", "index": index, "ok": bool(event.get("ok"))}
        if event.get("ok"):
            retval = int(event.get("retval") or 0)
            data_out = str(event.get("data_out") or "")
            result.update(
                retval=retval,
                action=action_name(self.cfg.hook, retval),
                data_in=frame.hex(),
                data_out=data_out,
                changed=data_out != frame.hex(),
                duration_ns=event.get("duration_ns"),
            )
        else:
            result["error"] = event.get("error")
        self.outcome.packets.append({k: v for k, v in result.items() if k != "event"})
        self.emit(result)


def summary_facts(verdict: dict[str, Any]) -> dict[str, Any]:
    """What the one-sentence summary says, as data (a verdict event carries it, so a viewer
    reading another language gets the sentence in theirs: labs/consumers.py)."""
    return {
        "stage": verdict.get("stage"),
        "error": verdict.get("error"),
        "not_loaded_by": "loader" if verdict.get("load_failure") else None,
        "compiler_messages": bool(verdict.get("diagnostics")),
        "actions": [
            str(p.get("action", p.get("error", "?"))) for p in verdict.get("packets") or []
        ],
        "trace_lines": len(verdict.get("trace") or []),
        "live": verdict.get("live") or {},
    }


def summary(facts: dict[str, Any]) -> str:
    """A free-form outcome in one sentence, in the active language (made at the edge)."""
    stage = facts.get("stage")
    if facts.get("error") and stage == "compile" and not facts.get("compiler_messages"):
        return _("The run could not start: %(error)s") % {
            "error": words.failure_words(facts["error"])
        }
    if stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if stage == "load" and facts.get("not_loaded_by") == "loader":
        return _(
            "Your program did not load: it was refused before the verifier ran; see the "
            "explanation."
        )
    if stage == "load":
        return _("The verifier rejected your program; see its log and the explanation.")
    if facts.get("error"):
        return _("The sandbox stopped: %(error)s") % {"error": words.failure_words(facts["error"])}
    live = facts.get("live") or {}
    if live.get("stopped"):
        said = {
            "seconds": round((live.get("elapsed_ms") or 0) / 1000),
            "sent": live.get("sent") or 0,
            "triggers": live.get("triggers") or 0,
        }
        if live["stopped"] == "stop":
            template = _(
                "Ran live for %(seconds)s s until you stopped it: %(sent)s packets sent, "
                "%(triggers)s triggers run."
            )
        else:
            template = _(
                "Ran live for %(seconds)s s, to the time limit: %(sent)s packets sent, "
                "%(triggers)s triggers run."
            )
        return template % said
    actions = facts.get("actions") or []
    if actions:
        return ngettext(
            "Loaded and ran on %(n)d packet: %(actions)s.",
            "Loaded and ran on %(n)d packets: %(actions)s.",
            len(actions),
        ) % {"n": len(actions), "actions": ", ".join(actions)}
    lines = int(facts.get("trace_lines") or 0)
    return ngettext(
        "Loaded, attached and triggered: %(n)d trace line.",
        "Loaded, attached and triggered: %(n)d trace lines.",
        lines,
    ) % {"n": lines}
