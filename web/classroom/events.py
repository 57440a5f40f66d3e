"""A run's stored events in a sentence each, for the instructor's run page (the raw data is
one click away, for debugging)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from labs import verifier
from labs.grading import words
from labs.i18n import pick
from web.pages.strings import run_panel_strings


def event_kind_label(kind: str) -> str:
    labels = {
        "stage": _("stage"),
        "compile": _("compile"),
        "disassembly": _("disassembly"),
        "load": _("load"),
        "test_run": _("test run"),
        "attach": _("attach"),
        "map_update": _("map update"),
        "map_delete": _("map entry emptied"),
        "check": _("check"),
        "trace": _("trace line"),
        "truncated": _("output truncated"),
        "map_dump": _("map contents"),
        "error": _("error"),
        "verdict": _("verdict"),
        "finished": _("finished"),
        "done": _("sandbox finished"),
    }
    return labels.get(kind, kind)


def describe_event(kind: str, data: dict[str, Any]) -> str:
    """What happened, in the reader's language; `<code>`-worthy parts are left as they are."""
    describe = _DESCRIBERS.get(kind)
    return describe(data) if describe else ""


def _ok(data: dict[str, Any]) -> str:
    return _("succeeded") if data.get("ok") else _("failed")


def _stage(data: dict[str, Any]) -> str:
    stages = run_panel_strings()["stages"]
    assert isinstance(stages, dict)
    return str(stages.get(data.get("stage", ""), data.get("stage", "")))


def _compile(data: dict[str, Any]) -> str:
    count = len(data.get("diagnostics") or [])
    said = ngettext("%(n)s compiler message", "%(n)s compiler messages", count) % {"n": count}
    if data.get("ok"):
        return _("compiled (%(messages)s)") % {"messages": said}
    return _("did not compile (%(messages)s)") % {"messages": said}


def _load(data: dict[str, Any]) -> str:
    if data.get("ok"):
        return _("the verifier accepted the program")
    rejection = data.get("rejection") or {}
    if rejection.get("by") == verifier.LOADER:
        why = verifier.label(rejection.get("class"))
        return _("refused before the verifier ran: %(why)s") % {"why": why}
    return _("the verifier rejected the program")


def _check(data: dict[str, Any]) -> str:
    name = pick(data.get("describe")) or data.get("name", "")
    verdict = _("passed") if data.get("passed") else _("failed")
    return _("%(check)s: %(verdict)s") % {"check": name, "verdict": verdict}


def _map_dump(data: dict[str, Any]) -> str:
    entries = len(data.get("entries") or [])
    said = ngettext("%(map)s: %(n)s entry", "%(map)s: %(n)s entries", entries)
    return said % {"map": data.get("map", ""), "n": entries}


def _finished(data: dict[str, Any]) -> str:
    if data.get("status") == "error":
        return _("platform error")
    return _("passed") if data.get("passed") else _("not passed")


def _verdict(data: dict[str, Any]) -> str:
    if "checks" in data:  # a verdict stored whole: its sentence, made from its data
        return words.verdict_summary(data)
    if isinstance(data.get("kernel_counts"), dict):  # the whole of a run on every kernel
        return words.kernels_summary(data["kernel_counts"])
    return _("passed") if data.get("passed") else _("not passed")


_DESCRIBERS = {
    "stage": _stage,
    "compile": _compile,
    "load": _load,
    "attach": _ok,
    "map_update": _ok,
    "map_delete": _ok,
    "test_run": _ok,
    "check": _check,
    "trace": lambda data: str(data.get("message") or data.get("line") or ""),
    "map_dump": _map_dump,
    "error": lambda data: str(data.get("message") or ""),
    "verdict": _verdict,
    "finished": _finished,
}
