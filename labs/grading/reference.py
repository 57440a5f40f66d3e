"""A lab's reference solution as an object file, compiled once per process.

The differential phase (labs/grading/differential.py) runs the reference beside every
submission; compiling it each time would add a clang run to every grading. The compile
starts in a background thread when a grading starts, so even the first one overlaps
with the learner's own compile.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_objects: dict[str, bytes | None] = {}
_pending: dict[str, Future[bytes | None]] = {}
_lock = threading.Lock()
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bpflab-reference")


def _key(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _compile(source: str) -> bytes | None:
    from sandbox.compile import compile_source

    result = compile_source(source, disassemble=False)
    return result.object if result.ok and result.object else None


def prepare(source: str) -> Future[bytes | None]:
    """The reference's object (None when it does not compile), compiling it if need be."""
    key = _key(source)
    with _lock:
        if key in _objects:
            done: Future[bytes | None] = Future()
            done.set_result(_objects[key])
            return done
        if key not in _pending:
            _pending[key] = _pool.submit(_compile_and_keep, key, source)
        return _pending[key]


def in_background(function: Callable[..., T], *args: Any) -> Future[T]:
    """Runs `function` on the thread that compiles references (work that can overlap
    the learner's compile)."""
    return _pool.submit(function, *args)


def _compile_and_keep(key: str, source: str) -> bytes | None:
    try:
        obj = _compile(source)
    except Exception:  # the jail broke: try again next time
        with _lock:
            _pending.pop(key, None)
        raise
    with _lock:
        _objects[key] = obj
        _pending.pop(key, None)
    return obj
