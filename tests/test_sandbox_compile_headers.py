"""Every header the curriculum promises compiles in the jail on `-target bpf`."""

from __future__ import annotations

import pytest

from sandbox.compile import compile_source

CURRICULUM_HEADERS = [
    "linux/bpf.h",
    "linux/if_ether.h",
    "linux/ip.h",
    "linux/ipv6.h",
    "linux/udp.h",
    "linux/tcp.h",
    "linux/icmp.h",
    "linux/in.h",
    "linux/pkt_cls.h",
    "linux/if_packet.h",
    "linux/types.h",
    "bpf/bpf_helpers.h",
    "bpf/bpf_endian.h",
    "bpf/bpf_tracing.h",
]


@pytest.mark.parametrize("header", CURRICULUM_HEADERS)
def test_it_compiles_each_curriculum_header(header):
    # libbpf's headers use the __u32/__u64 types, so every program includes a
    # kernel UAPI header before them; that is what we promise.
    before = "#include <linux/bpf.h>\n" if header.startswith("bpf/") else ""

    result = compile_source(f"{before}#include <{header}>\nint answer = 42;\n")

    assert result.ok, result.output


def test_it_compiles_all_curriculum_headers_together():
    includes = "".join(f"#include <{h}>\n" for h in CURRICULUM_HEADERS)

    result = compile_source(includes + 'char LICENSE[] SEC("license") = "GPL";\n')

    assert result.ok, result.output


def test_it_compiles_libc_headers_that_reach_gnu_stubs():
    # <stdint.h> -> <features.h> -> <gnu/stubs.h>, which asks for the 32-bit stubs
    # because `-target bpf` does not define __x86_64__.
    result = compile_source("#include <stdint.h>\n#include <string.h>\nuint64_t x;\n")

    assert result.ok, result.output


def test_it_uses_the_jail_stubs_not_an_i386_libc():
    source = (
        "#include <stdint.h>\n"
        "#ifndef BPFLAB_GNU_STUBS_32_H\n"
        "#error the host's gnu/stubs-32.h was used\n"
        "#endif\n"
    )

    result = compile_source(source)

    assert result.ok, result.output


def test_it_defines_the_target_arch_for_tracing_macros():
    source = (
        "#include <linux/bpf.h>\n"
        "#include <linux/ptrace.h>\n"
        "#include <bpf/bpf_tracing.h>\n"
        "unsigned long first_arg(struct pt_regs *ctx) { return PT_REGS_PARM1(ctx); }\n"
    )

    result = compile_source(source)

    assert result.ok, result.output
