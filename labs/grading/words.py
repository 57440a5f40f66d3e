"""The grader's outcomes in words, in the active language: why a check was not run, and
the verdict's one sentence. Outcomes are stored as data (a check's `status` and `reason`,
the verdict's stage and counts); these functions are the only place that words them, for
the grader's own record, the run history pages and the live panel (labs.consumers words
each run event again in its viewer's language).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from labs import verifier
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
    if reason.get("error"):
        return str(reason["error"])
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
    error: str | None = None,
) -> str:
    """The verdict in one sentence. `counts`: checks `passed` and `total`; `reason`: why
    the checks were not run (a failed compile or load)."""
    if error:
        return _("The sandbox failed: %(error)s") % {"error": error}
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


def verdict_summary(verdict: dict[str, Any]) -> str:
    """`summary()` of a stored verdict (Verdict.to_dict())."""
    return summary(
        str(verdict.get("stage") or ""),
        bool(verdict.get("passed")),
        counts_of(verdict.get("checks") or []),
        first_reason(verdict.get("checks") or []),
        verdict.get("error"),
    )


def counts_of(checks: list[dict[str, Any]]) -> dict[str, int]:
    return {"passed": sum(bool(c.get("passed")) for c in checks), "total": len(checks)}


def first_reason(checks: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((c["reason"] for c in checks if c.get("reason")), None)


def check_event(event: dict[str, Any]) -> dict[str, Any]:
    """A check event with its not-run `actual` worded again (in the active language)."""
    if event.get("status") == "not_run" and event.get("reason"):
        return {**event, "actual": not_run(event["reason"])}
    if event.get("name") == DIFFERENTIAL_CHECK and event.get("differences"):
        from labs.grading.differential import reworded  # it words with this module

        return reworded(event)
    return event


def verdict_event(event: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """A verdict event with its summary worded again (in the active language) from the
    run's check events. A sandbox failure keeps its words (they quote the error), as does
    a run graded before checks carried their status."""
    if event.get("stage") == "checks" or not all(c.get("status") for c in checks):
        return event
    stage, passed = str(event.get("stage")), bool(event.get("passed"))
    again = summary(stage, passed, counts_of(checks), first_reason(checks))
    return {**event, "summary": again}
