"""Can this host run a backend? `python -m sandbox check --backend NAME [--run]`: the health
check of a worker container, and what a worker runs before it starts taking runs.

Without --run it asks the backend (`available()`: tools, image, privileges); with --run it
also compiles a small XDP program and runs it there, since only a run shows, say, that a
container lacks the capability to load a program or that qemu cannot restore its snapshot.
"""

from __future__ import annotations

import time

from sandbox.backends import get_backend
from sandbox.bench import LAB_SOURCE, lab_ops
from sandbox.compile import compile_source
from sandbox.job import Job

XDP_DROP = 1


def check(backend_name: str, run: bool = False) -> tuple[bool, str]:
    """(ok, what was seen): the backend's own answer, then the outcome of one real run."""
    backend = get_backend(backend_name)
    ok, reason = backend.available()
    if not ok or not run:
        return ok, f"{backend_name}: {reason}"
    started = time.monotonic()
    compiled = compile_source(LAB_SOURCE)
    if not compiled.ok or compiled.object is None:
        return False, f"{backend_name}: the check program did not compile: {compiled.error}"
    result = backend.run(Job(object=compiled.object, ops=lab_ops()))
    if not result.ok:
        return False, f"{backend_name}: a run failed: {result.error}"
    dropped = result.by_id("udp-9999") or {}
    if dropped.get("retval") != XDP_DROP:
        return False, f"{backend_name}: the check program ran but answered {dropped}"
    took = time.monotonic() - started
    return True, f"{backend_name}: {reason}; a check run took {took:.2f} s"
