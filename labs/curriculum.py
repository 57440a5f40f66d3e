"""The worker's view of the content: lab specs parsed from CONTENT_DIR, reloaded on change."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_cache: dict[str, Any] = {"stamp": None, "curriculum": None}


def _stamp(root: Path) -> tuple[float, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return (max((p.stat().st_mtime for p in files), default=0.0), len(files))


def load() -> Any:
    from labs.spec import load_curriculum

    root = Path(settings.CONTENT_DIR)
    stamp = _stamp(root)
    with _lock:
        if _cache["stamp"] != stamp:
            _cache["curriculum"] = load_curriculum(root)
            _cache["stamp"] = stamp
        return _cache["curriculum"]


def get_lab(slug: str) -> Any:
    return load().labs[slug]
