"""`#include "vmlinux.h"` finds the run kernel's types, made once per kernel from its BTF,
and a program that starts with it compiles from the precompiled header to the very same
object."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import kernel_headers
from sandbox.compile import compile_source

pytestmark = pytest.mark.skipif(not kernel_headers.HOST_BTF.exists(), reason="kernel without BTF")

KPROBE = r"""
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink, int dfd, struct filename *name)
{
	char path[64];
	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(name, name));
	bpf_printk("unlink: %s", path);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture
def fresh() -> Iterator[Path]:
    """A folder of its own where the jail user can read it (pytest's tmp_path is 0700)."""
    folder = kernel_headers.KERNELS_ROOT / f"test-{secrets.token_hex(4)}"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_it_makes_the_header_and_its_pch_once_per_kernel(fresh: Path) -> None:
    folder = kernel_headers.prepare(kernel_headers.HOST_BTF, fresh)
    header = folder / kernel_headers.HEADER_NAME
    made = header.stat().st_mtime_ns

    again = kernel_headers.prepare(kernel_headers.HOST_BTF, fresh)

    assert "struct filename {" in header.read_text()
    assert kernel_headers.pch_matches(folder)
    assert again == folder and header.stat().st_mtime_ns == made


def test_it_compiles_the_same_object_with_or_without_the_pch(fresh: Path) -> None:
    folder = kernel_headers.host_headers()
    assert folder is not None
    fresh.mkdir(mode=0o755)
    shutil.copy2(folder / kernel_headers.HEADER_NAME, fresh / kernel_headers.HEADER_NAME)

    with_pch = compile_source(KPROBE, kernel_headers=folder, disassemble=False)
    without_pch = compile_source(KPROBE, kernel_headers=fresh, disassemble=False)

    assert with_pch.ok and without_pch.ok, with_pch.output + without_pch.output
    assert not kernel_headers.pch_matches(fresh)
    assert with_pch.object == without_pch.object


def test_it_parses_the_header_when_something_comes_before_the_include() -> None:
    folder = kernel_headers.host_headers()
    # a define before vmlinux.h may change what it declares: no PCH for this program
    source = "#define BPF_NO_PRESERVE_ACCESS_INDEX\n" + KPROBE

    result = compile_source(source, kernel_headers=folder, disassemble=False)

    assert result.ok, result.output


def test_it_does_not_find_vmlinux_h_without_a_kernel() -> None:
    result = compile_source(KPROBE, disassemble=False)

    assert not result.ok
    assert result.diagnostics[0].message == "'vmlinux.h' file not found"


def test_it_reports_errors_in_the_learners_lines_with_the_pch() -> None:
    folder = kernel_headers.host_headers()
    broken = KPROBE.replace("BPF_CORE_READ(name, name)", "name->nam")

    result = compile_source(broken, kernel_headers=folder, disassemble=False)

    assert not result.ok
    first = result.diagnostics[0]
    assert (first.file, first.line) == ("prog.c", 10) and "no member named 'nam'" in first.message
