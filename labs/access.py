"""Who may see what. Every view and consumer asks here instead of filtering by hand."""

from __future__ import annotations

from typing import Any

from labs.models import Run


def can_watch_run(user: Any, run: Run) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return run.submission.user_id == user.id or user.is_superuser
