"""The disassembly can be taken off the compile's critical path: compile_source(...,
disassemble=False) leaves it empty, disassemble() makes the same text later, and
disassemble="later" returns after clang with the text still being made; always in the
jail (objdump -S opens the file the DWARF names, which #line lets the learner choose)."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.compile import SCRATCH_ENV, compile_source, disassemble

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
    return XDP_PASS; /* marker-comment-in-source */
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture
def secret_file() -> Iterator[Path]:
    path = Path("/var/tmp") / f"bpflab-probe-{secrets.token_hex(8)}"
    path.write_text(f"int leaked_{secrets.token_hex(8)};\n")
    path.chmod(0o644)
    yield path
    path.unlink()


@pytest.fixture
def temp_root(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private temp root for job folders (world-traversable, as /tmp is)."""
    root = Path(tempfile.mkdtemp(prefix="bpflab-compile-test-", dir="/tmp"))
    root.chmod(0o755)
    monkeypatch.setenv(SCRATCH_ENV, str(root))
    yield root
    root.rmdir()  # fails the test if a job folder was left behind


def test_it_leaves_the_disassembly_out_when_asked() -> None:
    result = compile_source(SOURCE, disassemble=False)

    assert result.ok and result.object, result.output
    assert result.disassembly == ""


def test_it_disassembles_later_exactly_as_the_compile_would() -> None:
    whole = compile_source(SOURCE)
    split = compile_source(SOURCE, disassemble=False)
    assert split.object is not None

    text = disassemble(split.object, SOURCE)

    assert "pass_all" in text and "marker-comment-in-source" in text
    assert text == whole.disassembly


def test_it_disassembles_without_the_source_too() -> None:
    split = compile_source(SOURCE, disassemble=False)
    assert split.object is not None

    text = disassemble(split.object)

    assert "<pass_all>" in text and "exit" in text
    assert "marker-comment-in-source" not in text


def test_it_gives_empty_text_for_an_object_objdump_cannot_read() -> None:
    assert disassemble(b"not an object") == ""


def test_it_hides_host_files_from_a_later_disassembly(secret_file: Path) -> None:
    visible = "/usr/include/linux/in.h"
    for path, should_show in ((visible, True), (str(secret_file), False)):
        source = f'#line 1 "{path}"\nint add_one(int a) {{ return a + 1; }}\n'
        compiled = compile_source(source, disassemble=False)
        assert compiled.ok and compiled.object, compiled.output
        first_line = Path(path).read_text().splitlines()[0].strip()

        text = disassemble(compiled.object, source)

        assert "add_one" in text
        assert (first_line in text) is should_show, path


def test_it_returns_before_the_disassembly_and_finishes_it_later(temp_root: Path) -> None:
    whole = compile_source(SOURCE)

    later = compile_source(SOURCE, disassemble="later")

    assert later.ok and later.disassembly == "" and later.pending_disassembly is not None
    assert later.pending_disassembly.result(10) == whole.disassembly
    assert later.pending_disassembly.done()
    assert "pending_disassembly" not in later.to_dict()
    assert list(temp_root.iterdir()) == [], "the job folder is removed once it is done"


def test_it_has_nothing_pending_when_the_compile_fails(temp_root: Path) -> None:
    failed = compile_source("int x = ;\n", disassemble="later")

    assert not failed.ok and failed.pending_disassembly is None
    assert list(temp_root.iterdir()) == []


def test_it_hides_host_files_from_a_pending_disassembly(secret_file: Path) -> None:
    source = f'#line 1 "{secret_file}"\nint add_one(int a) {{ return a + 1; }}\n'
    compiled = compile_source(source, disassemble="later")
    assert compiled.ok and compiled.pending_disassembly is not None, compiled.output

    text = compiled.pending_disassembly.result(10)

    assert "add_one" in text
    assert secret_file.read_text().strip() not in text
