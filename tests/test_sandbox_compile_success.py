"""A correct program compiles in the jail to a BPF ELF object with a source-interleaved
disassembly, fast enough to sit on the submit path."""

from __future__ import annotations

import json

from sandbox.compile import compile_source

PROGRAM = """\
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say_hello(struct xdp_md *ctx)
{
    bpf_printk("Hello, eBPF!");
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
"""

EM_BPF = 247


def test_it_produces_a_bpf_elf_object():
    result = compile_source(PROGRAM)

    assert result.ok, result.output
    assert result.error is None
    assert result.object is not None
    assert result.object[:4] == b"\x7fELF"
    assert int.from_bytes(result.object[18:20], "little") == EM_BPF


def test_it_interleaves_the_source_in_the_disassembly():
    result = compile_source(PROGRAM)

    assert "<say_hello>:" in result.disassembly
    assert 'bpf_printk("Hello, eBPF!");' in result.disassembly
    assert "exit" in result.disassembly


def test_it_serialises_to_json_with_the_object_in_base64():
    result = compile_source(PROGRAM)

    decoded = json.loads(json.dumps(result.to_dict()))

    assert decoded["ok"] is True
    assert decoded["object"].startswith("f0VMR")  # base64 of "\x7fELF"
    assert decoded["diagnostics"] == []
    assert decoded["duration_s"] > 0


def test_it_reports_warnings_on_a_successful_compile():
    result = compile_source(PROGRAM + '#warning "check this"\n')

    assert result.ok
    assert [(d.severity, d.line) for d in result.diagnostics] == [("warning", 12)]


def test_it_stays_close_to_bare_clang_speed():
    compile_source(PROGRAM)  # warm the page cache

    durations = sorted(compile_source(PROGRAM).duration_s for _ in range(3))

    # Bare clang takes ~0.05 s here; the jail, objdump included, must not add seconds.
    assert durations[1] < 1.0
