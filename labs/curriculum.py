"""The worker's view of the content: a lab's spec parsed from CONTENT_DIR, cached until one of
its files changes (so editing content needs no worker restart).

The files are the truth: the worker grades from them, and the database's copy of a lab
(what the pages show: checks, lesson, starter) is brought up to date from them whenever
its `content_hash` differs from the folder's, at grading time (`sync_lab_row`) or by
`manage.py load_content`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)
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


def folder_hash(folder: Path) -> str:
    """Every file of a lab's folder, names and bytes: what `Lab.content_hash` holds."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def check_summaries(lab: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "kind": c.kind, "describe": c.describe} for c in lab.checks]


def lab_fields(spec: Any) -> dict[str, Any]:
    """The columns of a Lab row that come from its folder."""
    from labs.spec import BACKENDS

    return {
        "title": spec.title,
        "summary": spec.summary,
        "lesson": spec.lessons,
        "hints": spec.hints,
        "program_type": spec.program_type,
        "section": spec.section,
        "starter": spec.starter,
        "starter_translations": spec.starters,
        "solution": spec.solution,
        "min_kernel": spec.min_kernel,
        "max_kernel": spec.max_kernel,
        "default_kernel": spec.default_kernel,
        # every sandbox can run it: stored empty; else the ones that can (microvm)
        "backends": [] if set(spec.backends) == set(BACKENDS) else list(spec.backends),
        "checks": check_summaries(spec),
        "content_hash": folder_hash(spec.path),
    }


_hashes: dict[str, tuple[Any, str]] = {}  # slug -> (the spec, its folder's hash)


def _hash_of(spec: Any) -> str:
    """The folder hash of a spec from get_lab (a spec is replaced when its files change)."""
    with _lock:
        known = _hashes.get(spec.slug)
    if known is not None and known[0] is spec:
        return known[1]
    digest = folder_hash(spec.path)
    with _lock:
        _hashes[spec.slug] = (spec, digest)
    return digest


def sync_lab_row(spec: Any) -> bool:
    """Brings the database's copy of the lab up to the files it is graded from, when its
    content_hash says they differ (someone edited the content and did not load it). True
    when the row changed."""
    from labs.models import Lab

    # a read, and the folder hashed once per spec: this runs before every grading
    stale = Lab.objects.filter(slug=spec.slug).exclude(content_hash=_hash_of(spec))
    if not stale.exists():
        return False
    changed = stale.update(**lab_fields(spec)) > 0
    if changed:
        logger.warning("lab %s changed on disk since load_content; its row is updated", spec.slug)
    return changed
