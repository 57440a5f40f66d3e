"""The jail's limits: oversize source is refused, a compile that never ends is killed at
the wall limit, memory and output are capped, a crash is reported, and the temp job
folder is always removed."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.compile import SCRATCH_ENV, CompileLimits, compile_source

# 2^60 nested includes of itself: endless work in constant memory.
ENDLESS_INCLUDES = """\
#if __INCLUDE_LEVEL__ < 60
#include "prog.c"
#include "prog.c"
#endif
int x;
"""

# 8^12 tokens: memory grows until the address-space limit stops it.
EXPLODING_MACROS = """\
#define A(x) x x x x x x x x
#define B(x) A(A(A(A(x))))
#define C(x) B(B(B(x)))
int y = C(1);
"""


@pytest.fixture
def temp_root(monkeypatch) -> Iterator[Path]:
    """A private temp root for job folders (world-traversable, as /tmp is)."""
    root = Path(tempfile.mkdtemp(prefix="bpflab-compile-test-", dir="/tmp"))
    root.chmod(0o755)
    monkeypatch.setenv(SCRATCH_ENV, str(root))
    yield root
    root.rmdir()  # fails the test if a job folder was left behind


def test_it_refuses_source_over_64_kib_before_running_anything(temp_root):
    result = compile_source("int x;\n" + "/" * (64 * 1024))

    assert not result.ok
    assert "limit is 65536 bytes" in (result.error or "")
    assert result.output == ""
    assert list(temp_root.iterdir()) == []


def test_it_kills_a_compile_that_never_ends_at_the_wall_limit(temp_root):
    result = compile_source(ENDLESS_INCLUDES, CompileLimits(wall_s=1.5))

    assert not result.ok
    assert result.error == "compiler killed at its 1.5 s time limit"
    assert 1.4 < result.duration_s < 3.0
    assert list(temp_root.iterdir()) == []


def test_it_stops_a_compile_at_the_cpu_time_limit(temp_root):
    result = compile_source(ENDLESS_INCLUDES, CompileLimits(cpu_s=1, wall_s=10))

    assert not result.ok
    assert result.error == "compiler stopped at its 1 s CPU time limit"
    assert result.duration_s < 9.0  # before the wall limit, even on a loaded machine
    assert list(temp_root.iterdir()) == []


def test_it_stops_a_compile_at_the_memory_limit(temp_root):
    result = compile_source(EXPLODING_MACROS, CompileLimits(memory_bytes=512 * 1024 * 1024))

    assert not result.ok
    assert "memory" in (result.error or "")
    assert list(temp_root.iterdir()) == []


def test_it_stops_an_object_file_at_the_output_size_limit(temp_root):
    one_mib = 1024 * 1024

    small = compile_source("char table[512 * 1024] = {1};\n", CompileLimits(object_bytes=one_mib))
    large = compile_source("char table[4 << 20] = {1};\n", CompileLimits(object_bytes=one_mib))

    assert small.ok, small.output
    assert not large.ok
    assert large.error == "the object file reached the 1 MiB output limit"
    assert list(temp_root.iterdir()) == []


def test_it_reports_a_crashing_compiler(temp_root):
    result = compile_source("#pragma clang __debug crash\n")

    assert not result.ok
    assert result.error == "compiler crashed"
    assert list(temp_root.iterdir()) == []


def test_it_caps_compiler_messages_at_64_kib():
    source = "".join(f"#warning message number {n}\n" for n in range(2000))

    result = compile_source(source)

    assert len(source) < 64 * 1024
    kept, note = result.output.rsplit("\n[bpflab: output truncated, ", 1)
    assert len(kept.encode()) <= 64 * 1024
    assert note.endswith("more bytes dropped]\n")
    assert result.diagnostics[0].message.startswith("message number 0")


def test_it_removes_the_job_folder_after_success_and_failure(temp_root):
    compile_source("int ok;\n")
    compile_source("int broken = ;\n")

    assert list(temp_root.iterdir()) == []
