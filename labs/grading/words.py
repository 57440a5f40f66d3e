"""The grader's outcomes in words, in the active language: what a check expected and
found, why it was not run, and the verdict's one sentence.

Outcomes are stored as data: a check's `status` and `reason`, and its `expected` and
`actual` as phrases. A phrase is `{"say": <key>, <param>: <value>, ...}`: the key names
one sentence of `_templates()` (or a few made by code: lists, quoted lines, a frame
difference), the params are language-neutral values (names, numbers, addresses, the lines
a program printed) or phrases themselves; a list of phrases is clauses (`a; b`). `say()`
is the only place that turns them into words, at the edge: the run panel's socket
(labs.consumers, in the viewer's language), the pages, `manage.py grade`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from labs import packets, verifier
from labs.spec import DIFFERENTIAL_CHECK

# Why a check was not run: the `code` of its reason.
COMPILE, COMPILER, LOAD, PROGRAM, SEED, SANDBOX = (
    "compile",
    "compiler",
    "load",
    "program",
    "seed",
    "sandbox",
)
# The learner's program ran past a time limit (like a judge's TLE): with "op", "id",
# "limit_s" and "what" ("wall": the run's wall time; "verifier_cpu": the verifier's CPU).
TIME_LIMIT = "time_limit"
# This site's sandbox cannot run the lab: with "needed" (the backends it can run on) and
# "backend" (this site's).
UNAVAILABLE = "unavailable"

# A failure of the platform itself (not the learner's program), as data: a `code` and
# language-neutral values. `kind` is an exception's class, `detail` a technical text as the
# system gave it (never translated). Stored as the verdict's `error`, `Run.failure` and the
# `finished` event's `error`; failure_words() says it.
COMPILER_FAILED = "compiler_failed"  # kind, detail: the compile jail broke
SANDBOX_FAILED = "sandbox_failed"  # kind, detail: the backend raised
SANDBOX_ERROR = "sandbox_error"  # detail: the sandbox reported its own error
SANDBOX_UNFINISHED = "sandbox_unfinished"  # the sandbox run ended without `done`
SANDBOX_SETUP = "sandbox_setup"  # the backend could not be set up
REFERENCE_COMPILE = "reference_compile"  # the lab's reference solution does not compile
REFERENCE_LOAD = "reference_load"  # detail: the reference solution did not load
EVERY_KERNEL = "every_kernel"  # kernels: {name: failure}, the sandbox failed on each
INTERNAL = "internal"  # kind, detail: the grading code raised
WORKER_FAILED = "worker_failed"  # kind, detail: the worker's task failed
WORKER_TIME_LIMIT = "worker_time_limit"  # seconds: the worker's own limit on a run
WORKER_LOST = "worker_lost"  # attempts: the run's worker stopped on every attempt
SETTINGS = "settings"  # detail: a free-form run's settings were refused


Phrase = Any  # dict (one sentence), list (clauses), str or number (a literal), None


def phrase(sentence: str, /, **params: Any) -> dict[str, Any]:
    """`sentence`: a key of _templates() (or of _made_by_code())."""
    return {"say": sentence, **params}


def all_of(items: list[Any]) -> dict[str, Any]:
    """Parts one after another: `a, b` (`a，b` in Chinese)."""
    return {"say": "all", "items": items}


def any_of(names: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """`hash or lru_hash`."""
    return {"say": "any", "items": list(names)}


def quoted(lines: list[str]) -> dict[str, Any]:
    """Lines a program printed (or should print), quoted: `"a", "b"`, or "no line"."""
    return {"say": "lines", "lines": list(lines)}


def say(value: Phrase) -> str:
    """A phrase in the active language. A string is a literal, said as it is: a name, a
    value, a printed line, or a check's words stored before checks carried phrases."""
    if isinstance(value, list):
        return _("; ").join(say(item) for item in value)
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    key = str(value.get("say"))
    made = _made_by_code().get(key)
    if made is not None:
        return made(value)
    template = _templates().get(key)
    if template is None:  # a phrase of a newer grader: its params at least
        return ", ".join(say(v) for k, v in value.items() if k != "say")
    return template % {k: say(v) for k, v in value.items() if k != "say"}


def _made_by_code() -> dict[str, Any]:
    return {
        "all": lambda p: _(", ").join(say(item) for item in p.get("items") or []),
        "any": lambda p: _(" or ").join(say(item) for item in p.get("items") or []),
        "lines": lambda p: (
            ", ".join(f'"{line}"' for line in p["lines"]) if p.get("lines") else _("no line")
        ),
        "value": lambda p: packets.value_words(str(p.get("value") or "")),
        "not_run": lambda p: not_run(p.get("reason") or {}),
        "frame_difference": lambda p: packets.Difference.from_dict(p).words(),
        "generated": _generated,
    }


def _generated(p: dict[str, Any]) -> str:
    from labs.grading.differential import Difference, difference_words  # it words with us

    found = p.get("difference")
    difference = Difference.from_dict(found) if found else None
    return difference_words(int(p.get("frames") or 0), difference)


def _templates() -> dict[str, str]:
    """One sentence per key, with its params; what checks expect and find."""
    return {
        # packet checks
        "kept_whole": _("kept whole (returns %(len)s or more)"),
        "dropped": _("dropped (returns 0)"),
        "frame_unchanged": _("frame unchanged"),
        "frame_rewritten": _("frame rewritten: %(changes)s"),
        "frame_change": _("%(field)s %(new)s (was %(old)s)"),
        "prints": _("prints %(lines)s"),
        "prints_each_run": _("prints %(lines)s on each of %(runs)s runs"),
        "test_run_failed": _("the test run failed: %(error)s"),
        "error": _("error"),
        "unknown_action": _("unknown action %(retval)s"),
        "expected_got": _("expected %(expected)s, got %(actual)s"),
        "dropped_it": _("dropped it (returned 0)"),
        "kept_only": _("kept only %(retval)s of its %(len)s bytes"),
        "kept_it": _("kept it (returned %(retval)s)"),
        "lines_printed": _("expected the lines %(expected)s, printed %(actual)s"),
        # map checks
        "map_entries": _("%(types)s map %(map)s: %(entries)s"),
        "map_entries_exact": _("%(types)s map %(map)s: %(entries)s and no other non-zero entry"),
        "no_entries": _("no entries"),
        "map": _("%(types)s map %(map)s"),
        "map_problems": _("map %(map)s: %(problems)s"),
        "no_map": _("no map named '%(name)s' in your object"),
        "map_type": _("type: expected %(expected)s, got %(actual)s"),
        "map_size": _("%(field)s: expected %(expected)s bytes, got %(actual)s"),
        "max_entries": _("max_entries: expected %(expected)s, got %(actual)s"),
        "min_entries": _("max_entries: expected at least %(expected)s, got %(actual)s"),
        "map_flags": _("flags: expected %(expected)s set, got %(actual)s"),
        "map_unreadable": _("could not read map %(map)s: %(error)s"),
        "entry_missing": _("[%(key)s]: expected %(expected)s, no entry"),
        "entry_wrong": _("[%(key)s]: expected %(expected)s, got %(actual)s"),
        "entry_unexpected": _("unexpected entry [%(key)s] = %(value)s"),
        "map_holds": _("%(map)s holds the expected entries"),
        # trigger checks
        "trace_holds": _("the trace holds %(lines)s"),
        "prints_exactly": _("the command's process prints exactly %(lines)s"),
        "receives_exactly": _("%(map)s receives exactly: %(records)s"),
        "no_record": _("no record"),
        "attach_failed": _("could not attach the program: %(error)s"),
        "command_failed": _("the command %(command)s failed: %(error)s"),
        "did_not_run": _("did not run"),
        "printed_nothing": _("the command's process printed nothing"),
        "printed": _("the command's process printed %(actual)s"),
        "record_size": _(
            "a record of process %(pid)s is %(size)s bytes; each record must be %(want)s"
        ),
        "no_own_record": _(
            "no record with %(field)s = %(pid)s (the command's process) in %(map)s; "
            "%(seen)s records of other processes were ignored"
        ),
        "records_of": _("%(count)s records of process %(pid)s: %(records)s"),
        "missing_last": _(
            "missing %(missing)s; lines seen (last %(shown)s of %(total)s): %(seen)s"
        ),
        "missing": _("missing %(missing)s; lines seen: %(seen)s"),
        "found": _("found"),
        # the generated-traffic check
        "generated_expected": _(
            "what the reference solution does on %(frames)s generated frames (seed %(seed)s)"
        ),
    }


def failure(code: str, /, **values: Any) -> dict[str, Any]:
    """A failure of the platform, as data (the codes above)."""
    return {"code": code, **values}


def crash(code: str, exc: BaseException) -> dict[str, Any]:
    """A failure made of an exception: its class and its own (untranslated) text."""
    return failure(code, kind=type(exc).__name__, detail=str(exc))


def failure_code(error: Any) -> str | None:
    """The code of a stored failure (None: none, or words stored before failures were data)."""
    return str(error.get("code")) if isinstance(error, dict) else None


def failure_words(error: Any) -> str:
    """A failure of the platform in the active language. A string is a failure stored before
    failures were data: said as it was stored."""
    if not error:
        return ""
    if not isinstance(error, dict):
        return str(error)
    code, detail = error.get("code"), error.get("detail")
    crashed = {"kind": error.get("kind"), "error": detail}
    if code == COMPILER_FAILED:
        return _("compiler failure: %(kind)s: %(error)s") % crashed
    if code == SANDBOX_FAILED:
        return _("sandbox failure: %(kind)s: %(error)s") % crashed
    if code == INTERNAL:
        return _("internal error while grading: %(error)s") % {
            "error": f"{error.get('kind')}: {detail}" if error.get("kind") else detail
        }
    if code == WORKER_FAILED:
        return _("the worker failed: %(error)s") % {"error": f"{error.get('kind')}: {detail}"}
    if code == WORKER_TIME_LIMIT:
        seconds = int(error.get("seconds") or 0)
        return _("the run took longer than %(seconds)d s and was stopped") % {"seconds": seconds}
    if code == WORKER_LOST:
        attempts = int(error.get("attempts") or 0)
        return ngettext(
            "the run did not finish: its worker stopped %(attempts)d time. Please run again.",
            "the run did not finish: its worker stopped %(attempts)d times. Please run again.",
            attempts,
        ) % {"attempts": attempts}
    if code == SANDBOX_UNFINISHED:
        return _("the sandbox run did not finish")
    if code == SANDBOX_SETUP:
        return _("sandbox failure: %(error)s") % {
            "error": _("the sandbox backend could not be set up")
        }
    if code == REFERENCE_COMPILE:
        return _("the lab's reference solution does not compile")
    if code == REFERENCE_LOAD:
        return _("the reference solution did not load: %(error)s") % {"error": detail}
    if code == EVERY_KERNEL:
        kernels = error.get("kernels") or {}
        return "; ".join(f"{name}: {failure_words(each)}" for name, each in kernels.items())
    if code == UNAVAILABLE:
        return reason_words(error)
    return str(detail) if detail else _("sandbox error")


def sandbox_reason(error: Any) -> dict[str, Any] | None:
    """Why the checks were not run when the platform failed (None: it did not)."""
    return {"code": SANDBOX, "error": error} if error else None


def check_words(check: dict[str, Any]) -> dict[str, Any]:
    """A stored check (or check event) with its `expected` and `actual` in words, in the
    active language. A check stored before checks carried phrases keeps its words, except
    a not-run one (worded from its reason) and a generated-traffic one (from its data)."""
    said = {**check, "expected": say(check.get("expected")), "actual": say(check.get("actual"))}
    if isinstance(check.get("actual"), str):
        if check.get("status") == "not_run" and check.get("reason"):
            said["actual"] = not_run(check["reason"])
        elif check.get("name") == DIFFERENTIAL_CHECK and check.get("differences"):
            from labs.grading.differential import reworded  # it words with this module

            said = reworded(said)
    return said


def not_run(reason: dict[str, Any]) -> str:
    """A check's `actual` when nothing decided it: `not run: <reason>`."""
    return _("not run: %(reason)s") % {"reason": reason_words(reason)}


def reason_words(reason: dict[str, Any]) -> str:
    """Why the checks did not run, as a clause."""
    code = reason.get("code")
    if code == COMPILE:
        if reason.get("error"):
            return _("the program did not compile (%(error)s)") % {"error": reason["error"]}
        return _("the program did not compile")
    if code == COMPILER:
        return _("the compiler could not run")
    if code == LOAD:
        return verifier.reason(reason.get("rejection") or {}, reason.get("error"))
    if code == PROGRAM:
        return _program_words(reason)
    if code == SEED:
        return _("could not fill the map: %(error)s") % {"error": reason.get("error")}
    if code == TIME_LIMIT:
        return _("time limit: %(what)s") % {"what": time_limit_words(reason)}
    if code == UNAVAILABLE:
        message = _(
            "this lab needs the %(needed)s sandbox (kprobes and fentry/fexit); this site runs "
            "the %(backend)s sandbox"
        )
        needed = _(" or ").join(reason.get("needed") or [])
        return message % {"needed": needed, "backend": reason.get("backend")}
    if reason.get("error"):
        return failure_words(reason["error"])
    return _("the sandbox stopped early")


def _program_words(reason: dict[str, Any]) -> str:
    """Why the loaded object does not fit the lab (count, section, type)."""
    problem = reason.get("problem")
    if problem == "count":
        names = ", ".join(reason.get("names") or []) or _("none")
        if reason.get("wanted") == 1:
            message = _("this lab wants exactly one program; your object has %(count)s (%(names)s)")
        else:
            message = _("this lab wants %(wanted)s programs; your object has %(count)s (%(names)s)")
        return message % {
            "wanted": reason.get("wanted"),
            "count": reason.get("count"),
            "names": names,
        }
    if problem == "names":
        message = _("this lab wants the programs %(wanted)s; your object has %(names)s")
        return message % {
            "wanted": ", ".join(reason.get("wanted") or []),
            "names": ", ".join(reason.get("names") or []),
        }
    if problem == "sections":
        message = _("this lab wants one program in each of %(wanted)s; yours are in %(sections)s")
        return message % {
            "wanted": ", ".join(reason.get("wanted") or []),
            "sections": ", ".join(reason.get("sections") or []),
        }
    if problem == "section":
        message = _(
            "program '%(name)s' is in section '%(section)s'; this lab wants SEC(\"%(wanted)s\")"
        )
        return message % {k: reason.get(k) for k in ("name", "section", "wanted")}
    if problem == "license" and reason.get("license") is None:
        return _(
            "your object has no license section; every lab wants a GPL-compatible one, "
            'e.g. char LICENSE[] SEC("license") = "GPL";'
        )
    if problem == "license":
        message = _(
            'your license section says "%(license)s", which the kernel does not count as '
            'GPL-compatible; every lab wants one such as "GPL" or "Dual BSD/GPL"'
        )
        return message % {"license": reason.get("license")}
    message = _("program '%(name)s' is a %(kind)s program; this lab wants %(wanted)s")
    return message % {k: reason.get(k) for k in ("name", "kind", "wanted")}


def _operations() -> dict[str, str]:
    return {
        "load": _("loading the program"),
        "map_update": _("filling a map"),
        "map_delete": _("emptying a map entry"),
        "test_run": _("the test run"),
        "map_dump": _("reading a map"),
        "attach": _("attaching the program"),
        "traffic": _("sending packets"),
        "trigger": _("the trigger command"),
        "trace": _("reading the trace"),
    }


def time_limit_words(limit: dict[str, Any]) -> str:
    """Which operation ran too long, and past what limit."""
    seconds = f"{float(limit.get('limit_s') or 0):g}"
    if limit.get("what") == "verifier_cpu":
        return _("the verifier ran longer than %(seconds)s s of CPU time") % {"seconds": seconds}
    operation = _operations().get(str(limit.get("op")), str(limit.get("op")))
    message = _("%(operation)s (%(id)s) ran longer than %(seconds)s s")
    return message % {"operation": operation, "id": limit.get("id"), "seconds": seconds}


def summary(
    stage: str,
    passed: bool,
    counts: dict[str, int],
    reason: dict[str, Any] | None = None,
    error: Any = None,
) -> str:
    """The verdict in one sentence. `counts`: checks `passed` and `total`; `reason`: why
    the checks were not run (a failed compile or load); `error`: the platform's failure."""
    if error:
        if reason and reason.get("code") == UNAVAILABLE:  # its words made for this reader
            error = reason
        return _("The sandbox failed: %(error)s") % {"error": failure_words(error)}
    if reason and reason.get("code") == TIME_LIMIT:
        return _("Time limit exceeded: %(what)s.") % {"what": time_limit_words(reason)}
    if stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if stage == "load":
        said = reason_words(reason) if reason else ""
        return _("Your program was not run: %(reason)s.") % {"reason": said}
    total = counts.get("total", 0)
    if passed:
        return _("All %(total)s checks passed.") % {"total": total}
    return _("%(passed)s of %(total)s checks passed.") % {
        "passed": counts.get("passed", 0),
        "total": total,
    }


def kernels_summary(counts: dict[str, int]) -> str:
    """The verdict of a run on every kernel: on how many of the kernels the lab is meant
    for it passed (`counts`: `passed`, `total`, as KernelMatrix.kernel_counts())."""
    passed, total = int(counts.get("passed") or 0), int(counts.get("total") or 0)
    if total and passed == total:
        return _("Passed on all %(total)d kernels.") % {"total": total}
    return _("Passed on %(passed)d of %(total)d kernels.") % {"passed": passed, "total": total}


def kernels_event(event: dict[str, Any]) -> dict[str, Any]:
    """The whole `verdict` event of a run on every kernel with its `summary`, and each
    kernel's, worded in the active language from its data (kernels.kernel_outcome). An
    event stored before it carried its outcomes as data (no `kernel_counts`) keeps the words
    it was stored with."""
    counts = event.get("kernel_counts")
    if not isinstance(counts, dict):
        return event
    kernels = {
        name: {**outcome, "summary": kernel_summary(outcome)}
        for name, outcome in (event.get("kernels") or {}).items()
    }
    return {**event, "summary": kernels_summary(counts), "kernels": kernels}


def kernel_summary(outcome: dict[str, Any]) -> str:
    """One kernel's sentence, from its outcome in the whole's event."""
    return summary(
        str(outcome.get("stage") or ""),
        bool(outcome.get("passed")),
        outcome.get("counts") or {},
        outcome.get("reason"),
        outcome.get("error"),
    )


def verdict_summary(verdict: dict[str, Any]) -> str:
    """`summary()` of a stored verdict (Verdict.to_dict())."""
    return summary(
        str(verdict.get("stage") or ""),
        bool(verdict.get("passed")),
        counts_of(verdict.get("checks") or []),
        first_reason(verdict.get("checks") or []),
        verdict.get("error"),
    )


def stored_summary(verdict: dict[str, Any]) -> str:
    """A stored verdict's sentence, made again from its data in the active language; a
    verdict stored before its checks carried their status keeps its words."""
    checks = verdict.get("checks") or []
    if not checks or (verdict.get("stage") == "load" and not first_reason(checks)):
        return str(verdict.get("summary") or "")
    return verdict_summary(verdict)


def counts_of(checks: list[dict[str, Any]]) -> dict[str, int]:
    return {"passed": sum(bool(c.get("passed")) for c in checks), "total": len(checks)}


def first_reason(checks: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((c["reason"] for c in checks if c.get("reason")), None)


def check_event(event: dict[str, Any]) -> dict[str, Any]:
    """A check event worded (in the active language): check_words()."""
    return check_words(event)


def verdict_event(event: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """A verdict event with its summary worded again (in the active language) from the
    run's check events and its `error` (the platform's failure, as data). A verdict event
    stored before it carried `error` keeps its words when the sandbox stopped half-way, as
    does a run graded before checks carried their status."""
    timed_out = (first_reason(checks) or {}).get("code") == TIME_LIMIT
    old = event.get("stage") == "checks" and "error" not in event and not timed_out
    if old or not all(c.get("status") for c in checks):
        return event
    stage, passed = str(event.get("stage")), bool(event.get("passed"))
    again = summary(stage, passed, counts_of(checks), first_reason(checks), event.get("error"))
    return {**event, "summary": again}


def finished_event(event: dict[str, Any]) -> dict[str, Any]:
    """A `finished` event with its `error` (a failure, as data) in words and its `code`."""
    error = event.get("error")
    if not isinstance(error, dict):
        return event
    return {**event, "error": failure_words(error), "error_code": failure_code(error)}
