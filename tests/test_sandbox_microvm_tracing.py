"""In the microVM (Debian's cloud kernel): kprobes, fentry and fexit attach, and
init_on_free=1 makes a read of freed memory come out the same (empty) every time."""

from __future__ import annotations

import shutil

import pytest

from sandbox import image as vm_image
from sandbox.backends.microvm import MicroVMBackend
from sandbox.compile import compile_source
from sandbox.job import Job

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]

# fentry prints the path; fexit prints what it can still read through `name` (freed).
ENTRY_AND_EXIT = r"""
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
SEC("fentry/do_unlinkat")
int BPF_PROG(at_entry, int dfd, struct filename *name)
{
	bpf_printk("entry %s", name->name);
	return 0;
}
SEC("fexit/do_unlinkat")
int BPF_PROG(at_exit, int dfd, struct filename *name, int ret)
{
	char late[32] = "";
	bpf_probe_read_kernel_str(late, sizeof(late), BPF_CORE_READ(name, name));
	bpf_printk("exit '%s' %d", late, ret);
	return 0;
}
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(probe, int dfd, struct filename *name)
{
	char path[32];
	bpf_probe_read_kernel_str(path, sizeof(path), BPF_CORE_READ(name, name));
	bpf_printk("kprobe %s", path);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""


def run(*ops: dict):  # type: ignore[no-untyped-def]
    backend = MicroVMBackend()
    compiled = compile_source(ENTRY_AND_EXIT, kernel_headers=backend.kernel_headers())
    assert compiled.ok and compiled.object, compiled.output
    result = backend.run(Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *ops]))
    assert result.ok, result.error
    return result


def lines_of(result, trigger: str) -> list[str]:  # type: ignore[no-untyped-def]
    pid = result.by_id(trigger)["pid"]
    return [e["message"] for e in result.trace_lines() if e["pid"] == pid]


def test_it_attaches_fentry_fexit_and_a_kprobe_and_freed_memory_reads_empty() -> None:
    result = run(
        {"op": "attach", "id": "trampolines", "program": "*",
         "sections": ["fentry/do_unlinkat", "fexit/do_unlinkat", "kprobe/do_unlinkat"]},
        {"op": "trigger", "id": "rm", "argv": ["@rm", "/tmp/bpflab-vm-missing"]},
        {"op": "trace", "id": "wait", "wait_ms": 200},
    )  # fmt: skip

    attach = result.by_id("trampolines")
    assert attach and attach["ok"], attach
    assert attach["target"] == "fentry/do_unlinkat,fexit/do_unlinkat,kprobe/do_unlinkat"
    assert sorted(lines_of(result, "rm")) == sorted(
        ["entry /tmp/bpflab-vm-missing", "kprobe /tmp/bpflab-vm-missing", "exit '' -2"]
    )


def test_it_attaches_only_programs_in_the_sections_it_was_given() -> None:
    result = run(
        {"op": "attach", "id": "entry-only", "program": "*", "sections": ["fentry/do_unlinkat"]},
        {"op": "attach", "id": "kprobe", "program": "probe", "target": "kprobe/do_unlinkat"},
        {"op": "trigger", "id": "rm", "argv": ["@rm", "/tmp/bpflab-vm-missing"]},
        {"op": "trace", "id": "wait", "wait_ms": 200},
    )

    refused = result.by_id("entry-only")
    assert refused and not refused["ok"]
    assert refused["error"] == (
        "program at_exit is in section 'fexit/do_unlinkat', not one this lab attaches"
    )
    # at_entry came first and is attached; the explicit kprobe target works too
    assert sorted(lines_of(result, "rm")) == [
        "entry /tmp/bpflab-vm-missing",
        "kprobe /tmp/bpflab-vm-missing",
    ]
