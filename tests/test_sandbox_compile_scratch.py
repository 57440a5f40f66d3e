"""A compile's folders live in the scratch folder: memory-backed /dev/shm by default (a
dozen creations and removals per compile), or $BPFLAB_SCRATCH_DIR, and nothing stays."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.compile import (
    DEFAULT_SCRATCH,
    SCRATCH_ENV,
    CompileLimits,
    PendingDisassembly,
    compile_source,
    scratch_dir,
)


@pytest.fixture
def scratch(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="bpflab-scratch-test-", dir="/tmp"))
    root.chmod(0o755)  # world-traversable, as /dev/shm is
    monkeypatch.setenv(SCRATCH_ENV, str(root))
    yield root
    root.rmdir()  # fails the test if a folder was left behind


def test_it_defaults_to_memory_backed_dev_shm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCRATCH_ENV, raising=False)
    usable = DEFAULT_SCRATCH.is_dir() and os.access(DEFAULT_SCRATCH, os.W_OK | os.X_OK)

    assert scratch_dir() == (str(DEFAULT_SCRATCH) if usable else None)


def test_it_makes_its_folders_in_the_scratch_folder(scratch: Path) -> None:
    pending = PendingDisassembly(b"int x;\n", CompileLimits())
    try:
        folders = list(scratch.iterdir())
        assert len(folders) == 1 and folders[0].name.startswith("bpflab-compile-")
    finally:
        pending.cancel()
    assert list(scratch.iterdir()) == []


def test_it_compiles_there_and_leaves_nothing(scratch: Path) -> None:
    result = compile_source("int answer(void) { return 42; }\n", disassemble=True)

    assert result.ok and result.object and "<answer>" in result.disassembly
    assert list(scratch.iterdir()) == []
