"""Every text the run panel shows, translated on the server and handed to the bundle as JSON.

Keeping them here (not in the JS) puts them in the same gettext catalogue as the templates.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from labs import verifier


def run_panel_strings() -> dict[str, object]:
    """The run panel's words in the active language; built once per language."""
    return _panel_strings_in(get_language() or "en")


@lru_cache(maxsize=8)
def _panel_strings_in(language: str) -> dict[str, object]:
    with override(language):
        return _panel_strings()


def _panel_strings() -> dict[str, object]:
    return {
        "stages": {
            "queued": _("Queued"),
            "compiling": _("Compiling"),
            "booting": _("Starting sandbox"),
            "loading": _("Loading"),
            "running": _("Checking"),
            "checking": _("Checking"),
            "done": _("Done"),
        },
        "compile_ok": _("Compiled"),
        "compile_failed": _("The program did not compile"),
        "compile_warnings": _("Compiled with warnings"),
        "diagnostics": _("Compiler messages"),
        "raw_output": _("Raw compiler output"),
        "load_ok": _("Loaded: the verifier accepted the program"),
        "load_failed": _("The verifier rejected the program"),
        "load_not_loaded": _("The program did not load"),
        "verifier_log": _("Verifier log"),
        "failing_insn": _("Failing instruction"),
        "source_line": _("Your line %(line)s"),
        "why": _("What this usually means"),
        "checks": _("Checks"),
        "expected": _("expected"),
        "actual": _("actual"),
        "pending": _("waiting"),
        "passed": _("passed"),
        "failed": _("failed"),
        "trace": _("trace_pipe"),
        "trace_empty": _("This run printed no trace lines."),
        "truncated": _("Output truncated (%(what)s, limit %(limit)s)."),
        "maps": _("Maps"),
        "map_key": _("key"),
        "map_value": _("value"),
        "map_empty": _("(empty)"),
        "map_sum": _("sum over CPUs"),
        "map_zero_hidden": _("%(n)s entries with a zero value are not shown."),
        "not_run": _("not run"),
        # The grader's "not run: <reason>" up to the reason, in the active language.
        "not_run_prefix": _("not run: %(reason)s") % {"reason": ""},
        "disassembly": _("BPF disassembly"),
        "verdict_passed": _("Passed"),
        "summary_all": _("All %(total)s checks passed."),
        "summary_some": _("%(passed)s of %(total)s checks passed."),
        "summary_compile": _("Your program did not compile; see the compiler messages."),
        "verdict_failed": _("Not yet"),
        "run_error": _("The run failed"),
        "connection_lost": _("Connection lost; reconnecting..."),
        "connected": _("Live"),
        "sandbox_error": _("Sandbox error"),
        "draft_saved": _("Draft saved"),
        "draft_saving": _("Saving..."),
        "draft_failed": _("Draft not saved"),
        "reset_confirm": _("Replace your code with the starter? Your draft will be lost."),
        "verifier": verifier.explanations(),
    }
