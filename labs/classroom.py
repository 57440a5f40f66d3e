"""The instructor's view of a cohort, as plain data: the roster x labs grid, how runs failed,
the verifier messages learners hit most, who is behind the cohort's plan, and the CSV rows.
Views render these; tests call them directly."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from labs import verifier
from labs.authoring import cohort_labs_filter
from labs.models import Cohort, CohortPlan, Lab, Progress, Run, Submission
from labs.plans import plan_stages
from labs.spec import DIFFERENTIAL_CHECK

NOT_STARTED, ATTEMPTED, PASSED = Progress.NOT_STARTED, Progress.ATTEMPTED, Progress.PASSED
STATUS_RANK = {NOT_STARTED: 0, ATTEMPTED: 1, PASSED: 2}

# Why a finished run did not pass. GENERATED: every fixed check passed, and only the
# comparison with the reference on generated frames failed (labs/grading/differential.py).
COMPILE, VERIFIER, CHECKS, PLATFORM = "compile", "verifier", "checks", "platform"
GENERATED = "generated"
LOAD = "load"  # refused before the verifier ran: a misspelled helper, no section
FAILURE_LABELS = {
    COMPILE: "compile error",
    LOAD: "did not load",
    VERIFIER: "verifier rejection",
    CHECKS: "failed checks",
    GENERATED: "passed the fixed checks, failed on generated traffic",
    PLATFORM: "platform error",
}
# How a program differed from the reference on generated traffic (Difference.field).
DIFFERENCE_LABELS = {
    "action": "another action",
    "output": "other output bytes",
    "trace": "other trace lines",
    "map": "other map contents",
    "run": "a test run failed",
    "limit": "too many trace lines",
}


# ---------------------------------------------------------------- the grid


@dataclass
class Cell:
    lab: Lab
    status: str = NOT_STARTED
    attempts: int = 0
    time_to_pass: timedelta | None = None


@dataclass
class Row:
    learner: Any
    cells: list[Cell]

    @property
    def passed_count(self) -> int:
        return sum(cell.status == PASSED for cell in self.cells)

    @property
    def attempts(self) -> int:
        return sum(cell.attempts for cell in self.cells)


@dataclass
class Grid:
    labs: list[Lab]
    rows: list[Row]
    sort: str = "learner"
    descending: bool = False


def members(cohort: Cohort) -> list[Any]:
    users = get_user_model().objects.filter(cohort_memberships__cohort=cohort)
    return list(users.order_by("username"))


def labs_of(cohort: Cohort) -> list[Lab]:
    """Every lab the cohort's learners may run: the curriculum and its instructors' labs."""
    return list(Lab.objects.filter(is_active=True).filter(cohort_labs_filter(cohort)).distinct())


def cohort_labs(cohort: Cohort) -> list[Lab]:
    """The grid's columns: the cohort's plan in plan order, or every active lab."""
    cohort_plan = CohortPlan.objects.filter(cohort=cohort).select_related("plan").first()
    active = Lab.objects.filter(is_active=True)
    if cohort_plan is None:
        return list(active.filter(cohort_labs_filter(cohort)).distinct().select_related("stage"))
    labs = {lab.slug: lab for lab in active.filter(slug__in=cohort_plan.plan.lab_slugs)}
    planned = [labs[slug] for slug in cohort_plan.plan.lab_slugs if slug in labs]
    # the instructors' own labs attached to the cohort come after its plan
    return planned + list(active.filter(authored__cohorts=cohort).exclude(slug__in=labs))


def build_grid(cohort: Cohort, sort: str = "learner", descending: bool = False) -> Grid:
    labs = cohort_labs(cohort)
    learners = members(cohort)
    progress = {
        (p.user_id, p.lab_id): p for p in Progress.objects.filter(user__in=learners, lab__in=labs)
    }
    first_submitted = {
        (row["user_id"], row["lab_id"]): row["first"]
        for row in Submission.objects.filter(user__in=learners, lab__in=labs)
        .values("user_id", "lab_id")
        .annotate(first=Min("created_at"))
    }
    rows = []
    for learner in learners:
        cells = []
        for lab in labs:
            key = (learner.pk, lab.pk)
            cells.append(_cell(lab, progress.get(key), first_submitted.get(key)))
        rows.append(Row(learner, cells))
    grid = Grid(labs, rows, sort, descending)
    sort_grid(grid)
    return grid


def _cell(lab: Lab, progress: Progress | None, first_submitted: Any) -> Cell:
    if progress is None:
        return Cell(lab)
    started = first_submitted or progress.first_attempt_at
    time_to_pass = None
    if progress.status == PASSED and progress.passed_at:
        time_to_pass = max(progress.passed_at - started, timedelta(0))
    return Cell(lab, progress.status, progress.attempts, time_to_pass)


def sort_grid(grid: Grid) -> None:
    """Sorts rows in place by `grid.sort`: learner, passed, attempts or lab:<slug> (status,
    then fewer attempts, then faster pass). Unknown keys sort by learner."""
    slugs = [lab.slug for lab in grid.labs]
    if grid.sort.startswith("lab:") and grid.sort[4:] in slugs:
        index = slugs.index(grid.sort[4:])
        rows = sorted(grid.rows, key=lambda r: r.learner.username)
        rows.sort(key=lambda r: _cell_rank(r.cells[index]), reverse=grid.descending)
    elif grid.sort == "passed":
        rows = sorted(
            grid.rows, key=lambda r: (r.passed_count, -r.attempts), reverse=grid.descending
        )
    elif grid.sort == "attempts":
        rows = sorted(grid.rows, key=lambda r: r.attempts, reverse=grid.descending)
    else:
        grid.sort = "learner"
        rows = sorted(grid.rows, key=lambda r: r.learner.username, reverse=grid.descending)
    grid.rows = rows


def _cell_rank(cell: Cell) -> tuple[int, int, float]:
    seconds = cell.time_to_pass.total_seconds() if cell.time_to_pass is not None else 0.0
    return (STATUS_RANK.get(cell.status, 0), -cell.attempts, -seconds)


def format_duration(value: timedelta | None) -> str:
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


# A spreadsheet runs a cell that starts with one of these as a formula; usernames may.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def csv_rows(grid: Grid) -> list[list[str]]:
    """One header row, then one row per learner: per lab its status, attempts and time to pass
    (in whole minutes, so a spreadsheet can sum it)."""
    header = ["learner", "passed", "attempts"]
    for lab in grid.labs:
        header += [f"{lab.slug} status", f"{lab.slug} attempts", f"{lab.slug} minutes to pass"]
    rows = [header]
    for row in grid.rows:
        line = [csv_safe(row.learner.username), str(row.passed_count), str(row.attempts)]
        for cell in row.cells:
            minutes = (
                ""
                if cell.time_to_pass is None
                else str(int(cell.time_to_pass.total_seconds() // 60))
            )
            line += [cell.status, str(cell.attempts), minutes]
        rows.append(line)
    return rows


# ---------------------------------------------------------------- charts' data


def pass_rates(grid: Grid) -> list[tuple[str, int, int]]:
    """(lab slug, learners who passed it, learners) per lab, in column order."""
    total = len(grid.rows)
    return [
        (lab.slug, sum(row.cells[i].status == PASSED for row in grid.rows), total)
        for i, lab in enumerate(grid.labs)
    ]


ATTEMPT_BUCKETS = ("1", "2", "3", "4-5", "6-9", "10+")


def attempt_bucket(attempts: int) -> str:
    if attempts <= 3:
        return str(attempts)
    if attempts <= 5:
        return "4-5"
    return "6-9" if attempts <= 9 else "10+"


def attempts_distribution(grid: Grid) -> list[tuple[str, int]]:
    """How many (learner, lab) pairs were passed after how many attempts."""
    counts = Counter(
        attempt_bucket(cell.attempts)
        for row in grid.rows
        for cell in row.cells
        if cell.status == PASSED and cell.attempts > 0
    )
    return [(bucket, counts.get(bucket, 0)) for bucket in ATTEMPT_BUCKETS]


# ---------------------------------------------------------------- how runs failed


def verifier_message(log: str) -> str:
    """The verifier's complaint in a log (labs.verifier's one rule). Empty when there is none."""
    return verifier.analyse(log).message


def normalize_verifier_message(message: str) -> str:
    """Groups messages that differ only in registers, offsets and sizes."""
    message = re.sub(r"\(id=[^)]*\)", "", message)
    message = re.sub(r"\bR\d+\b", "Rn", message)
    message = re.sub(r"-?\b\d+\b", "N", message)
    return re.sub(r"\s+", " ", message).strip()


def verifier_class(log: str) -> tuple[str, str]:
    """(key, label) of the kind of failure a load log shows."""
    found = verifier.classify(log)
    return found.key, str(found.label)


def _rejection(run: Run) -> dict[str, Any]:
    """How the run's load failed: stored with the verdict, or read from its log (older runs)."""
    stored = (run.verdict or {}).get("verifier") or (run.verdict or {}).get("load_failure")
    if stored:
        return dict(stored)
    log = str((run.verdict or {}).get("verifier_log") or "")
    return verifier.analyse(log).to_dict()


def failure_kind(run: Run) -> str | None:
    """Why a finished run did not pass (None for a pass or an unfinished run)."""
    if run.status == Run.ERROR:
        return PLATFORM
    if run.status != Run.DONE or run.passed:
        return None
    stage = run.stage_reached or run.verdict.get("stage", "")
    if stage == "compile":
        return COMPILE
    if stage == "load":
        return LOAD if _rejection(run).get("by") == verifier.LOADER else VERIFIER
    failed = [c for c in run.verdict.get("checks", []) if not c.get("passed")]
    if failed and all(c.get("name") == DIFFERENTIAL_CHECK for c in failed):
        return GENERATED
    return CHECKS


def difference_kind(run: Run) -> str | None:
    """How the run's program differed from the reference on generated traffic, if it did."""
    difference = (run.verdict.get("differential") or {}).get("difference") or {}
    kind = str(difference.get("field") or "").partition(":")[0]
    return kind if kind in DIFFERENCE_LABELS else None


@dataclass
class FailureReport:
    lab: Lab
    runs: int = 0
    passed: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    verifier_classes: Counter[tuple[str, str]] = field(default_factory=Counter)
    load_classes: Counter[tuple[str, str]] = field(default_factory=Counter)  # not the verifier
    verifier_messages: Counter[str] = field(default_factory=Counter)
    failed_checks: Counter[str] = field(default_factory=Counter)
    differences: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return sum(self.kinds.values())

    def kind_rows(self) -> list[tuple[str, str, int]]:
        return [(k, FAILURE_LABELS[k], self.kinds[k]) for k in FAILURE_LABELS if self.kinds[k]]

    # Lists for templates: a Counter answers any attribute lookup as a missing key (0).
    def verifier_class_rows(self) -> list[tuple[str, str, int]]:
        return [(key, label, n) for (key, label), n in self.verifier_classes.most_common()]

    def load_class_rows(self) -> list[tuple[str, str, int]]:
        return [(key, label, n) for (key, label), n in self.load_classes.most_common()]

    def verifier_message_rows(self) -> list[tuple[str, int]]:
        return self.verifier_messages.most_common()

    def failed_check_rows(self) -> list[tuple[str, int]]:
        return self.failed_checks.most_common()

    def difference_rows(self) -> list[tuple[str, str, int]]:
        return [(k, DIFFERENCE_LABELS[k], n) for k, n in self.differences.most_common()]


def _finished_runs(cohort: Cohort, labs: list[Lab]) -> Any:
    return Run.objects.filter(
        submission__lab__in=labs,
        submission__user__cohort_memberships__cohort=cohort,
        status__in=Run.FINISHED,
    ).only("status", "passed", "stage_reached", "verdict", "submission__lab_id")


def _tally(report: FailureReport, run: Run) -> None:
    report.runs += 1
    kind = failure_kind(run)
    if kind is None:
        report.passed += 1
        return
    report.kinds[kind] += 1
    if kind in (VERIFIER, LOAD):
        rejection = _rejection(run)
        key = str(rejection.get("class"))
        classes = report.verifier_classes if kind == VERIFIER else report.load_classes
        classes[(key, verifier.label(key))] += 1
        message = str(rejection.get("message") or "")
        if message and kind == VERIFIER:
            report.verifier_messages[normalize_verifier_message(message)] += 1
    elif kind in (CHECKS, GENERATED):
        for check in run.verdict.get("checks", []):
            if not check.get("passed"):
                report.failed_checks[str(check.get("name", "?"))] += 1
        difference = difference_kind(run)
        if difference:
            report.differences[difference] += 1


def _keep_top(report: FailureReport, top: int) -> FailureReport:
    report.verifier_messages = Counter(dict(report.verifier_messages.most_common(top)))
    return report


def lab_failures(cohort: Cohort, lab: Lab, top: int = 5) -> FailureReport:
    report = FailureReport(lab)
    for run in _finished_runs(cohort, [lab]).select_related("submission"):
        _tally(report, run)
    return _keep_top(report, top)


def cohort_failures(cohort: Cohort, top: int = 5) -> list[FailureReport]:
    """One report per lab of the cohort, from a single pass over the cohort's runs."""
    labs = cohort_labs(cohort)
    reports = {lab.pk: FailureReport(lab) for lab in labs}
    for run in _finished_runs(cohort, labs).select_related("submission"):
        _tally(reports[run.submission.lab_id], run)
    return [_keep_top(reports[lab.pk], top) for lab in labs]


# ---------------------------------------------------------------- the cohort's plan


@dataclass
class StageDue:
    slug: str
    title: str
    due: date | None
    lab_ids: list[int]


@dataclass
class LearnerStanding:
    learner: Any
    overdue: list[StageDue]

    @property
    def is_behind(self) -> bool:
        return bool(self.overdue)


def stage_dues(cohort_plan: CohortPlan) -> list[StageDue]:
    return [
        StageDue(
            s.stage.slug,
            s.stage.title_text(),
            cohort_plan.due_date(s.stage.slug),
            [lab.pk for lab in s.labs],
        )
        for s in plan_stages(cohort_plan.plan)
    ]


def standings(cohort: Cohort, today: date | None = None) -> list[LearnerStanding]:
    """Per learner, the stages of the cohort's plan past their due date with a lab not passed.
    Empty when the cohort has no plan."""
    cohort_plan = CohortPlan.objects.filter(cohort=cohort).select_related("plan").first()
    if cohort_plan is None:
        return []
    today = today or timezone.localdate()
    stages = [s for s in stage_dues(cohort_plan) if s.due is not None and s.due < today]
    learners = members(cohort)
    passed = set(
        Progress.objects.filter(user__in=learners, status=PASSED).values_list("user_id", "lab_id")
    )
    result = []
    for learner in learners:
        overdue = [s for s in stages if any((learner.pk, lab) not in passed for lab in s.lab_ids)]
        result.append(LearnerStanding(learner, overdue))
    result.sort(key=lambda s: (not s.is_behind, s.learner.username))
    return result


# ---------------------------------------------------------------- the activity feed


def run_activity(run: Run) -> dict[str, Any]:
    """What the activity feed shows of a run: who, which lab, how it stands. Never the code."""
    submission = run.submission
    return {
        "run": run.pk,
        "learner": submission.user.get_username(),
        "learner_id": submission.user_id,
        "lab": submission.lab.slug,
        "lab_title": submission.lab.title_text(),
        "status": run.status,
        "passed": run.passed,
        "failure": failure_kind(run),
        "at": (run.finished_at or run.started_at or run.created_at).isoformat(),
    }


def recent_activity(cohort: Cohort, limit: int = 20) -> list[dict[str, Any]]:
    runs = (
        Run.objects.filter(
            submission__user__cohort_memberships__cohort=cohort, submission__lab__isnull=False
        )
        .select_related("submission__user", "submission__lab")
        .order_by("-created_at")[:limit]
    )
    return [run_activity(run) for run in reversed(list(runs))]
