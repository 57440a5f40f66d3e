"""Every text the run panel shows, translated on the server and handed to the bundle as JSON.

Keeping them here (not in the JS) puts them in the same gettext catalogue as the templates.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

# Common verifier rejections: (key, what the log says, as a JS regex source). The
# explanation for each key is in `verifier_explanations()`.
VERIFIER_PATTERNS = [
    ("pkt_access", r"invalid access to packet"),
    ("scalar_deref", r"R\d+ invalid mem access 'scalar'|invalid mem access 'inv'"),
    ("null_deref", r"invalid mem access '(map_value_or_null|ptr_or_null_|[a-z_]*_or_null)"),
    ("unreachable", r"unreachable insn"),
    ("loop", r"back-edge|infinite loop detected"),
    ("stack_read", r"invalid indirect read from stack|invalid read from stack"),
    ("unbounded_math", r"math between pkt pointer and register with unbounded min value"),
    ("too_large", r"program is too large|BPF program is too large"),
    ("unknown_func", r"unknown func|invalid func unknown#"),
    ("gpl", r"cannot call GPL-restricted function|GPL-compatible"),
    ("uninit_reg", r"R\d+ !read_ok"),
    ("ctx_access", r"invalid bpf_context access"),
    ("map_bounds", r"invalid access to map value|value_size=\d+ off=-?\d+ size=\d+"),
    ("ret_code", r"At program exit the register R0 has"),
]


def verifier_explanations() -> dict[str, str]:
    return {
        "pkt_access": _(
            "You read or wrote packet bytes without first proving they lie before data_end. "
            "Compare the pointer plus the size you access with data_end, and return early "
            "when it does not fit."
        ),
        "scalar_deref": _(
            "You dereferenced a plain number as if it were a pointer. The verifier only allows "
            "memory access through pointers it knows (context, packet, map value, stack)."
        ),
        "null_deref": _(
            "A map lookup can return NULL. Check the pointer against NULL before reading or "
            "writing through it."
        ),
        "unreachable": _(
            "Some instructions can never run. The verifier rejects dead code; remove it or "
            "make sure every path can reach it."
        ),
        "loop": _(
            "The verifier found a jump backwards it cannot prove ends. Use a loop with a "
            "constant bound, bpf_loop(), or unroll it."
        ),
        "stack_read": _(
            "A helper read stack memory you never initialised (often a key or struct passed "
            "by pointer). Zero it first, e.g. with = {} or __builtin_memset."
        ),
        "unbounded_math": _(
            "You added a value with no known lower bound to a packet pointer. Bound the "
            "value first (compare it with a constant, or mask it) before the pointer math."
        ),
        "too_large": _(
            "The program has too many instructions, or too many paths for the verifier to "
            "explore. Simplify it, bound the loops tighter, or split it."
        ),
        "unknown_func": _(
            "You called a helper this program type may not use, or one this kernel does not "
            "have. Check the helper's list of allowed program types."
        ),
        "gpl": _(
            "This helper is only for GPL-compatible programs. Declare the licence: "
            'char LICENSE[] SEC("license") = "GPL";'
        ),
        "uninit_reg": _(
            "A register was read before anything was written to it, often a variable used "
            "uninitialised on some path."
        ),
        "ctx_access": _(
            "You accessed a context field this program type may not read or write, or with "
            "the wrong size."
        ),
        "map_bounds": _(
            "You accessed a map value outside its size. Check the offset and the size of "
            "what you read or write against value_size."
        ),
        "ret_code": _("The program returns a value this program type does not allow."),
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
        # Why a queued run waits (labs/queue.py: Waiting.reason), and a run queued again.
        "waiting": waiting_strings(),
        "draft_saved": _("Draft saved"),
        "draft_saving": _("Saving..."),
        "draft_failed": _("Draft not saved"),
        "reset_confirm": _("Replace your code with the starter? Your draft will be lost."),
        "verifier": verifier_explanations(),
        "verifier_patterns": VERIFIER_PATTERNS,
    }
