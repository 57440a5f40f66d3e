"""What a grading run returns: one result per check, and the verdict on the submission."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# How far a submission got: it failed to compile, failed to load, ran its checks
# but the sandbox stopped half-way, or ran every check (passed or not).
STAGES = ("compile", "load", "checks", "done")


@dataclass
class CheckResult:
    name: str
    passed: bool
    expected: str
    actual: str
    describe: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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
    trace: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # the sandbox failed (not the learner's program)
    # the learner's program ran past a time limit: {"op", "id", "limit_s", "what"}
    time_limit: dict[str, Any] | None = None
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "passed": self.passed,
            "stage": self.stage,
            "summary": self.summary,
            "checks": [c.to_dict() for c in self.checks],
            "diagnostics": self.diagnostics,
            "verifier_log": self.verifier_log,
            "trace": self.trace,
            "timings": self.timings,
            "error": self.error,
            "time_limit": self.time_limit,
        }

    def to_event(self) -> dict[str, Any]:
        return {
            "event": "verdict",
            "passed": self.passed,
            "stage": self.stage,
            "summary": self.summary,
        }
