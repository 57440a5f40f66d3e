"""The learning domain's tables, split by area."""

from labs.models.learning import (
    Draft,
    Lab,
    Plan,
    Progress,
    Run,
    RunEvent,
    Stage,
    Submission,
    new_run_token,
)

__all__ = [
    "Draft",
    "Lab",
    "Plan",
    "Progress",
    "Run",
    "RunEvent",
    "Stage",
    "Submission",
    "new_run_token",
]
