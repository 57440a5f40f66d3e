"""Every op's trace lines are read before its result: the agent ends each drain at a fence
(a trace_marker line of its own), not when a non-blocking read first comes back empty.

A run says so in `done` ("trace_fenced": true), on every backend; fences never show up as
trace lines, and a program that prints a fence's text cannot stop a drain early."""

from __future__ import annotations

import shutil

import pytest

from sandbox import image as vm_image
from sandbox.backends import get_backend
from sandbox.compile import compile_source
from sandbox.job import Job, Result

# Eight lines per packet and a line that looks like a fence written by the agent (pid 1)
MANY_LINES = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int many(struct xdp_md *ctx)
{
    int len = ctx->data_end - ctx->data;

    for (int i = 0; i < 8; i++)
        bpf_printk("line %d of %d bytes", i, len);
    bpf_printk("tracing_mark_write: bpflab-fence 1 1");
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""
OPS = 12
RUNS_ON_MICROVM = 5


def repeat_of(i: int) -> int:
    return 1 + i % 3


def run_on(backend_name: str) -> Result:
    backend = get_backend(backend_name)
    ok, reason = backend.available()
    if not ok:
        pytest.skip(reason)
    compiled = compile_source(MANY_LINES, kernel_headers=backend.kernel_headers())
    assert compiled.ok and compiled.object, compiled.output
    runs = [
        {"op": "test_run", "id": f"run{i}", "program": "many", "data": "00" * (14 + i),
         "repeat": repeat_of(i)}
        for i in range(OPS)
    ]  # fmt: skip
    return backend.run(Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *runs]))


def assert_each_op_has_its_lines(result: Result) -> None:
    assert result.ok, result.error
    assert result.events[-1]["event"] == "done"
    assert result.events[-1]["trace_fenced"] is True
    for i in range(OPS):
        messages = [e["message"] for e in result.trace_lines(f"run{i}")]
        one_packet = [f"line {n} of {14 + i} bytes" for n in range(8)]
        one_packet.append("tracing_mark_write: bpflab-fence 1 1")
        assert messages == one_packet * repeat_of(i), f"run{i}"
    assert not [e for e in result.trace_lines() if e["op"] in (None, "load")]
    assert all("bpf_trace_printk: " in e["line"] for e in result.trace_lines())  # no fence


def test_it_reads_each_ops_lines_up_to_a_fence_on_the_local_backend() -> None:
    assert_each_op_has_its_lines(run_on("local"))


def test_it_reads_each_ops_lines_up_to_a_fence_in_docker() -> None:
    assert_each_op_has_its_lines(run_on("docker"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed")
def test_it_reads_each_ops_lines_up_to_a_fence_in_the_microvm_every_time() -> None:
    # a VM per run, restored from the snapshot: each drains its own global trace
    for _ in range(RUNS_ON_MICROVM):
        assert_each_op_has_its_lines(run_on("microvm"))
