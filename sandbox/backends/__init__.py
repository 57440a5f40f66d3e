"""Sandbox backends: where a Job runs. `get_backend(name)` returns a ready instance.

microvm and docker are imported lazily: they are optional here and need other tools.
"""

from __future__ import annotations

import importlib

from sandbox.backends.base import Backend

BACKENDS = {
    "local": ("sandbox.backends.local", "LocalBackend"),
    "microvm": ("sandbox.backends.microvm", "MicroVMBackend"),
    "docker": ("sandbox.backends.docker", "DockerBackend"),
}


def get_backend(name: str, **options: object) -> Backend:
    """The backend called name ("local", "microvm", "docker"); options go to its constructor."""
    try:
        module_name, class_name = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown backend {name!r} (known: {', '.join(BACKENDS)})") from None
    module = importlib.import_module(module_name)
    backend_class = getattr(module, class_name)
    backend: Backend = backend_class(**options)
    return backend


__all__ = ["BACKENDS", "Backend", "get_backend"]
