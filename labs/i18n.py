"""Content is stored as {"en": ..., "zh-hans": ...} dicts; this picks the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils import translation

FALLBACK_LANGUAGE = "en"


def pick(texts: dict[str, Any] | None, language: str | None = None) -> Any:
    if not texts:
        return ""
    language = (language or translation.get_language() or FALLBACK_LANGUAGE).lower()
    if language in texts:
        return texts[language]
    if language.startswith("zh") and "zh-hans" in texts:
        return texts["zh-hans"]
    return texts.get(FALLBACK_LANGUAGE) or next(iter(texts.values()))
