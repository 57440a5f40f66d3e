"""The worker's view of the content: a lab's spec parsed from CONTENT_DIR, cached until one of
its files changes (so editing content needs no worker restart)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[float, int], Any]] = {}


def _stamp(folder: Path) -> tuple[float, int]:
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    return (max((p.stat().st_mtime for p in files), default=0.0), len(files))


def get_lab(slug: str) -> Any:
    from labs.spec import load_lab_by_slug

    root = Path(settings.CONTENT_DIR)
    stamp = _stamp(root / "labs" / slug)
    with _lock:
        cached = _cache.get(slug)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_lab_by_slug(root, slug))
            _cache[slug] = cached
        return cached[1]
