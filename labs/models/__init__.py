"""The learning domain's tables, split by area."""

from labs.models.accounts import Profile
from labs.models.authoring import AuthoredLab, LabVersion
from labs.models.classroom import (
    INSTRUCTORS_GROUP,
    Cohort,
    CohortPlan,
    Membership,
    PlanEnrollment,
)
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
from labs.models.playground import ApiToken, Snippet

__all__ = [
    "AuthoredLab",
    "LabVersion",
    "ApiToken",
    "Snippet",
    "INSTRUCTORS_GROUP",
    "Cohort",
    "CohortPlan",
    "Membership",
    "PlanEnrollment",
    "Profile",
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
