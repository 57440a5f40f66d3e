"""The learner's standing on each lab: status, whether it is unlocked, and what comes next.

Labs unlock in catalogue order: the first lab is open, and passing a lab unlocks the one
after it. A lab this site's sandbox cannot run (kprobes on a `local` site) is shown with a
note and skipped by that chain: passing the lab before it unlocks the one after it.
Locking is advice, not a wall (study plans take labs in other orders), so a
locked lab can still be opened and run; the catalogue and the lab page say what to do first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from labs.authoring import is_authored_stage, visible_labs
from labs.models import Lab, Progress, Stage

LAB_TEXT_FIELDS = ("lesson", "hints", "starter", "solution", "checks")

STATUS_LABELS = {
    Progress.NOT_STARTED: _("Not started"),
    Progress.ATTEMPTED: _("Attempted"),
    Progress.PASSED: _("Passed"),
}


@dataclass
class LabStanding:
    lab: Lab
    status: str = Progress.NOT_STARTED
    attempts: int = 0
    unlocked: bool = True
    is_next: bool = False
    unlocked_by: Lab | None = None
    runs_here: bool = True  # this site's sandbox can run it

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass
class StageStanding:
    stage: Stage
    labs: list[LabStanding] = field(default_factory=list)

    @property
    def passed_count(self) -> int:
        return sum(s.status == Progress.PASSED for s in self.labs)


def progress_by_lab(user: Any) -> dict[int, Progress]:
    if not user.is_authenticated:
        return {}
    return {p.lab_id: p for p in Progress.objects.filter(user=user)}


def lab_standings(user: Any) -> list[LabStanding]:
    """Every active lab in catalogue order, with the learner's standing on it."""
    # The catalogue needs titles, not lessons: skip the big per-language text fields.
    labs = visible_labs(user).select_related("stage").defer(*LAB_TEXT_FIELDS)
    progress = progress_by_lab(user)
    standings: list[LabStanding] = []
    previous: LabStanding | None = None
    for lab in labs:
        before = (previous.lab, previous.status == Progress.PASSED) if previous else None
        if is_authored_stage(lab.stage):
            before = None  # an instructor's lab is open when they give it, not at the end
        standing = _standing(user, lab, progress.get(lab.pk), before)
        standings.append(standing)
        if standing.runs_here:
            previous = standing
    _mark_next(standings)
    return standings


def _mark_next(standings: list[LabStanding]) -> None:
    for standing in standings:
        if standing.unlocked and standing.runs_here and standing.status != Progress.PASSED:
            standing.is_next = True
            return


def stage_standings(user: Any) -> list[StageStanding]:
    stages: dict[int, StageStanding] = {}
    for standing in lab_standings(user):
        stage = standing.lab.stage
        stages.setdefault(stage.pk, StageStanding(stage=stage)).labs.append(standing)
    return list(stages.values())


def neighbours(lab: Lab, user: Any = None) -> tuple[Lab | None, Lab | None]:
    """In catalogue order, in one query: the lab whose pass unlocks `lab` (the closest
    active one before it that this site can run) and the active lab just after it."""
    ordered = list(
        visible_labs(user)
        .select_related("stage")
        .order_by("stage__order", "order")
        .only("id", "slug", "title", "order", "backends", "stage__order", "stage__slug")
    )
    ids = [each.pk for each in ordered]
    if lab.pk not in ids:
        return None, None
    at = ids.index(lab.pk)
    before = next((each for each in reversed(ordered[:at]) if each.runs_here()), None)
    if is_authored_stage(lab.stage):
        before = None
    after = ordered[at + 1] if at + 1 < len(ordered) else None
    return before, after


def standing_for(user: Any, lab: Lab, before: Lab | None) -> LabStanding:
    """One lab's status and lock, by the same rule as `lab_standings`, from the lab before
    it alone: the lab page is the hottest page and must not load every learner's progress."""
    mine = _progress_on(user, [lab, before] if before else [lab])
    before_passed = before is not None and _passed(mine.get(before.pk))
    return _standing(user, lab, mine.get(lab.pk), (before, before_passed) if before else None)


def _standing(
    user: Any, lab: Lab, found: Progress | None, before: tuple[Lab, bool] | None
) -> LabStanding:
    """The one unlock rule: a lab is open when the lab before it is passed, when the
    learner already worked on it, or for staff. `before` is (that lab, whether passed)."""
    standing = LabStanding(lab=lab, runs_here=lab.runs_here())
    if found:
        standing.status, standing.attempts = found.status, found.attempts
    if before is not None and not before[1]:
        standing.unlocked = bool(found) or getattr(user, "is_staff", False)
        standing.unlocked_by = before[0]
    return standing


def _passed(progress: Progress | None) -> bool:
    return progress is not None and progress.status == Progress.PASSED


def _progress_on(user: Any, labs: list[Lab]) -> dict[int, Progress]:
    if not user.is_authenticated:
        return {}
    return {p.lab_id: p for p in Progress.objects.filter(user=user, lab__in=labs)}
