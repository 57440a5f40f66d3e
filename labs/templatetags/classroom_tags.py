"""Template helpers for the classroom and plan pages (and the nav, which every page includes)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import template

from labs import access, classroom, i18n, plans

register = template.Library()


@register.filter
def is_instructor(user: Any) -> bool:
    return access.is_instructor(user)


@register.filter
def lab_url(slug: str) -> str:
    return plans.lab_url(slug)


@register.filter
def duration(value: timedelta | None) -> str:
    return classroom.format_duration(value)


@register.filter
def lookup(mapping: dict, key: Any) -> Any:
    return mapping.get(key, 0) if mapping else 0


@register.filter
def pick(texts: dict | None) -> Any:
    """The reader's language from a content dict ({"en": ..., "zh-hans": ...})."""
    return i18n.pick(texts)


@register.filter
def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
