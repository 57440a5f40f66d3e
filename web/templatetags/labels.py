"""Template filters that put the instructor pages' keys into words (see web.classroom.labels)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from labs.i18n import pick
from web.classroom import labels

register = template.Library()


@register.filter
def failure_label(key: str, fallback: str = "") -> str:
    return labels.label(labels.FAILURE_LABELS, key, fallback)


@register.filter
def pace_label(key: str) -> str:
    return labels.label(labels.PACE_LABELS, key)


@register.filter
def progress_label(key: str) -> str:
    return labels.label(labels.PROGRESS_LABELS, key)


@register.filter
def run_outcome(run: Any) -> str:
    from labs.classroom import failure_kind

    return labels.run_outcome(run.status, run.passed, failure_kind(run))


@register.filter
def reader_summary(run: Any) -> str:
    """A finished run's outcome in the reader's language (the stored one is the run's)."""
    from web.pages.verdicts import run_summary

    return run_summary(run)


@register.filter
def short_duration(value: timedelta | None) -> str:
    return labels.duration(value)


@register.filter
def check_text(check: dict[str, Any]) -> str:
    """A check's description in the reader's language, or its name when it has none."""
    return str(pick(check.get("describe")) or check.get("name", ""))


@register.filter
def event_kind(kind: str) -> str:
    from web.classroom.events import event_kind_label

    return event_kind_label(kind)


@register.filter
def check_said(check: dict[str, Any]) -> dict[str, Any]:
    """A stored check with its expected and actual in words, in the reader's language."""
    from labs.grading import words

    return words.check_words(check)
