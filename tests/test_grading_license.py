"""Every lab wants a GPL-compatible license section (CURRICULUM.md), as the kernel counts
them, even where no GPL-only helper would make the kernel refuse the program."""

from __future__ import annotations

import pytest

from labs.grading.evaluate import GPL_COMPATIBLE, license_problem
from sandbox.compile import compile_source
from sandbox.objinfo import license

PROGRAM = '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int f(struct xdp_md *c) { return XDP_DROP; }\n'


def compiled(tail: str) -> bytes:
    result = compile_source(PROGRAM + tail)
    assert result.ok and result.object, result.output
    return result.object


def test_it_reads_the_license_section_of_an_object() -> None:
    assert license(compiled('char L[] SEC("license") = "Dual BSD/GPL";')) == "Dual BSD/GPL"
    assert license(compiled("")) is None
    assert license(b"not an object") is None


@pytest.mark.parametrize("text", GPL_COMPATIBLE)
def test_it_accepts_every_license_the_kernel_counts_as_gpl_compatible(text: str) -> None:
    assert license_problem({"license": text}) is None


@pytest.mark.parametrize("text", ["Proprietary", "GPL-2.0", "MIT", "", None])
def test_it_refuses_any_other_license_or_none(text: str | None) -> None:
    problem = license_problem({"license": text})

    assert problem is not None and problem["problem"] == "license"
    assert problem["license"] == text


def test_it_says_nothing_when_the_load_event_does_not_carry_the_license() -> None:
    assert license_problem({"ok": True}) is None
