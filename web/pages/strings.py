"""Every text the run panel shows, translated on the server and handed to the bundle as JSON.

Keeping them here (not in the JS) puts them in the same gettext catalogue as the templates.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from labs import verifier


def codemirror_phrases() -> dict[str, str]:
    """CodeMirror's own interface words (its phrase keys are its English texts)."""
    return {
        "Fold line": _("Fold line"),
        "Unfold line": _("Unfold line"),
        "Folded lines": _("Folded lines"),
        "Unfolded lines": _("Unfolded lines"),
        "folded code": _("folded code"),
        "unfold": _("unfold"),
        "Find": _("Find"),
        "Replace": _("Replace"),
        "next": _("next"),
        "previous": _("previous"),
        "all": _("all"),
        "match case": _("match case"),
        "regexp": _("regexp"),
        "by word": _("by word"),
        "replace": _("replace"),
        "replace all": _("replace all"),
        "close": _("close"),
        "current match": _("current match"),
        "replaced $ matches": _("replaced $ matches"),
        "replaced match on line $": _("replaced match on line $"),
        "on line": _("on line"),
        "Go to line": _("Go to line"),
        "go": _("go"),
        "to": _("to"),
        "Selection deleted": _("Selection deleted"),
        "Diagnostics": _("Diagnostics"),
        "No diagnostics": _("No diagnostics"),
        "Control character": _("Control character"),
        "Completions": _("Completions"),
    }


def waiting_strings() -> dict[str, str]:
    return {
        "worker": _("Waiting for a worker to take this run…"),
        "queue": _("Waiting in the queue: %(ahead)s runs of other learners go first…"),
        "fair_share": _(
            "Waiting for your other run to finish, so that other learners are not held up…"
        ),
        "retry": _(
            "The worker stopped; the run is queued again (attempt %(attempt)s of %(max_attempts)s)…"
        ),
    }


def errno_texts() -> dict[str, str]:
    """The sandbox reports a failed system call as "<strerror> (ENAME)"; the panel says the
    strerror part in the page's language, by its name."""
    return {
        "EPERM": _("Operation not permitted"),
        "ENOENT": _("No such file or directory"),
        "ESRCH": _("No such process"),
        "EINTR": _("Interrupted system call"),
        "EIO": _("Input/output error"),
        "ENXIO": _("No such device or address"),
        "E2BIG": _("Argument list too long"),
        "ENOEXEC": _("Exec format error"),
        "EBADF": _("Bad file descriptor"),
        "EAGAIN": _("Resource temporarily unavailable"),
        "ENOMEM": _("Cannot allocate memory"),
        "EACCES": _("Permission denied"),
        "EFAULT": _("Bad address"),
        "EBUSY": _("Device or resource busy"),
        "EEXIST": _("File exists"),
        "ENODEV": _("No such device"),
        "EINVAL": _("Invalid argument"),
        "EMFILE": _("Too many open files"),
        "ENOSPC": _("No space left on device"),
        "ERANGE": _("Numerical result out of range"),
        "ELOOP": _("Too many levels of symbolic links"),
        "EOPNOTSUPP": _("Operation not supported"),
        "ETIMEDOUT": _("Connection timed out"),
        "ENOTSUPP": _("Operation not supported by the kernel"),
    }


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
        # A failed check's "actual" is what went wrong, often a sentence of its own.
        "actual": _("what happened"),
        "pending": _("waiting"),
        "passed": _("passed"),
        "failed": _("failed"),
        "trace": _("trace_pipe"),
        "trace_empty": _("This run printed no trace lines."),
        "record": _("ring buffer %(map)s, %(size)s bytes:"),
        "truncated": _("Output truncated (%(what)s, limit %(limit)s)."),
        "maps": _("Maps"),
        "map_key": _("key"),
        "map_value": _("value"),
        "map_empty": _("(empty)"),
        "map_sum": _("sum over CPUs"),
        "map_zero_hidden": _("%(n)s entries with a zero value are not shown."),
        "map_zero_hidden_one": _("1 entry with a zero value is not shown."),
        "map_caption": _("%(map)s (%(type)s, key %(key)s B, value %(value)s B)"),
        "not_run": _("not run"),
        "disassembly": _("BPF disassembly"),
        "verdict_passed": _("Passed"),
        "verdict_failed": _("Not yet"),
        "run_error": _("The run failed"),
        "connection_lost": _("Connection lost; reconnecting..."),
        "connected": _("Live"),
        "sandbox_error": _("Sandbox error"),
        # Why a queued run waits (labs/queue.py: Waiting.reason), and a run queued again.
        "waiting": waiting_strings(),
        "draft_saved": _("Draft saved"),
        "draft_saving": _("Saving..."),
        "draft_failed": _("Draft not saved"),
        "reset_confirm": _("Replace your code with the starter? Your draft will be lost."),
        "status_attempted": _("Attempted"),
        "severity": {
            "error": _("error"),
            "fatal": _("fatal error"),
            "warning": _("warning"),
            "note": _("note"),
        },
        "verifier_marker": _("verifier: %(message)s"),
        "attach_failed": _("Attaching to %(target)s failed: %(error)s"),
        "map_update_failed": _("Filling a map failed: %(error)s"),
        "codemirror": codemirror_phrases(),
        "errno": errno_texts(),
        "while_opening": _("%(error)s, while opening the object"),
        "verifier": verifier.explanations(),
    }
