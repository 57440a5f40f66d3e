"""What a grading run returns: one result per check, and the verdict on the submission."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labs import verifier as labs_verifier
from labs.grading import words
from labs.grading.loadfacts import load_facts
from labs.verifier import LOADER, VERIFIER

# How far a submission got: it failed to compile, failed to load, ran its checks
# but the sandbox stopped half-way, or ran every check (passed or not).
STAGES = ("compile", "load", "checks", "done")


# A check's outcome: decided and passed, decided and failed, or never decided.
PASSED, FAILED, NOT_RUN = "passed", "failed", "not_run"


@dataclass
class CheckResult:
    """One check's outcome, as data: `status`, `reason` (why it was not run) and what it
    expected and found as phrases (`want`, `got`: see labs.grading.words), stored and sent
    as `expected` and `actual`. The `expected` and `actual` properties are their words, in
    the active language."""

    name: str
    passed: bool
    want: Any
    got: Any
    describe: dict[str, str] = field(default_factory=dict)
    status: str = ""
    reason: dict[str, Any] | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)  # of the output frame

    def __post_init__(self) -> None:
        if not self.status:
            self.status = PASSED if self.passed else (NOT_RUN if self.reason else FAILED)

    @property
    def expected(self) -> str:
        return words.check_words(self.to_dict())["expected"]

    @property
    def actual(self) -> str:
        return words.check_words(self.to_dict())["actual"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "expected": self.want,
            "actual": self.got,
            "describe": dict(self.describe),
            "status": self.status,
            "reason": self.reason,
            "differences": list(self.differences),
        }

    def to_event(self) -> dict[str, Any]:
        return {"event": "check", **self.to_dict()}


@dataclass
class Verdict:
    slug: str
    passed: bool = False
    stage: str = "compile"
    checks: list[CheckResult] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    verifier_log: str = ""
    # why the load failed, as labs.verifier.Rejection.to_dict() (None: it did not fail);
    # stored as `verifier` (the verifier's verdict) or `load_failure` (refused before it ran)
    verifier: dict[str, Any] | None = None
    trace: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    # the platform failed (not the learner's program): a failure as data (words.failure)
    error: dict[str, Any] | None = None
    # the learner's program ran past a time limit: {"op", "id", "limit_s", "what"}
    time_limit: dict[str, Any] | None = None
    summary: str = ""
    seed: int | None = None  # drew the generated frames (labs with a differential phase)
    differential: dict[str, Any] | None = None  # the phase's seed, frames, first difference
    # The microVM kernel it ran on: {"name": "6.12", "release": "6.12.118+deb13-..."}
    kernel: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "passed": self.passed,
            "stage": self.stage,
            "summary": self.summary,
            "checks": [c.to_dict() for c in self.checks],
            "diagnostics": self.diagnostics,
            "verifier_log": self.verifier_log,
            "verifier": self.rejection_summary(VERIFIER),
            "load_failure": self.rejection_summary(LOADER),
            "trace": self.trace,
            "timings": self.timings,
            "error": self.error,
            "time_limit": self.time_limit,
            "seed": self.seed,
            "differential": self.differential,
            "kernel": self.kernel,
            "load": load_facts(self.stage, self.verifier_log, self.verifier),
        }

    def rejection_summary(self, by: str) -> dict[str, Any] | None:
        """`{class, by, message, line, ...}` of a load that failed `by` the verifier (a
        verdict: `report` is the kernel's own explanation) or the loader (before the
        verifier ran: `name`, `section` are what it names), or None."""
        if self.verifier is None or labs_verifier.kind(self.verifier.get("class")).by != by:
            return None
        extra = ("report",) if by == VERIFIER else ("name", "section")
        keys = ("class", "by", "message", "line", *extra)
        return {key: self.verifier.get(key) for key in keys}

    def counts(self) -> dict[str, int]:
        return {"passed": sum(c.passed for c in self.checks), "total": len(self.checks)}

    def reason(self) -> dict[str, Any] | None:
        """Why the checks were not run (the first not-run check's reason), or None."""
        return next((c.reason for c in self.checks if c.reason), None)

    def to_event(self) -> dict[str, Any]:
        event = {
            "event": "verdict",
            "passed": self.passed,
            "stage": self.stage,
            "summary": self.summary,
        }
        if self.error:  # the summary is worded again from it (words.verdict_event)
            event["error"] = self.error
        if self.kernel:
            event["kernel"] = self.kernel.get("name", "")
        return event


def verdict_from_dict(data: dict[str, Any]) -> Verdict:
    """A stored verdict (Run.verdict, from to_dict) back as a Verdict, for code that judges
    finished runs (an authored lab's self-check)."""
    checks = [
        CheckResult(
            str(c.get("name", "")),
            bool(c.get("passed")),
            c.get("expected"),
            c.get("actual"),
            dict(c.get("describe") or {}),
            str(c.get("status") or ""),
            c.get("reason"),
            list(c.get("differences") or []),
        )
        for c in data.get("checks", [])
    ]
    return Verdict(
        slug=data.get("slug", ""),
        passed=bool(data.get("passed")),
        stage=data.get("stage", "compile"),
        checks=checks,
        verifier=data.get("verifier") or data.get("load_failure"),
        error=data.get("error"),
        summary=data.get("summary", ""),
        seed=data.get("seed"),
        differential=data.get("differential"),
    )
