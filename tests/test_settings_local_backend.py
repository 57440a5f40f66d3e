"""Out of development mode the site will not start on the local backend (learners' code in
the host kernel, as root) unless its operator says so explicitly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def start_site(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SANDBOX_BACKEND", "DEBUG")}
    base.update(SECRET_KEY="a-production-key-for-this-test", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_refuses_the_local_backend_with_debug_off():
    result = start_site(DEBUG="false", SANDBOX_BACKEND="local")
    assert result.returncode != 0
    assert "ALLOW_LOCAL_BACKEND" in result.stderr and "host kernel" in result.stderr


def test_it_starts_on_the_local_backend_when_the_operator_allows_it():
    result = start_site(DEBUG="false", SANDBOX_BACKEND="local", ALLOW_LOCAL_BACKEND="true")
    assert result.returncode == 0, result.stderr


def test_it_starts_on_the_microvm_backend_with_debug_off():
    assert start_site(DEBUG="false", SANDBOX_BACKEND="microvm").returncode == 0


def test_it_starts_on_the_local_backend_in_development():
    assert start_site(DEBUG="true", SANDBOX_BACKEND="local").returncode == 0
