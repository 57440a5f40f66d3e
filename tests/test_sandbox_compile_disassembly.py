"""The disassembly can be taken off the compile's critical path: compile_source(...,
disassemble=False) leaves it empty, disassemble() makes the same text later, in the same
jail (objdump -S opens the file the DWARF names, which #line lets the learner choose)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.compile import compile_source, disassemble

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
