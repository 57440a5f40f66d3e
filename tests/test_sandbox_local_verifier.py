"""A verifier rejection is a load result with the verifier's log, not a sandbox error."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# Reads the packet with no bounds check against data_end.
UNCHECKED_READ = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int peek(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[20] == 17 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def run_unchecked(log_level: int, limits: RunLimits | None = None):  # type: ignore[no-untyped-def]
    compiled = compile_source(UNCHECKED_READ)
    assert compiled.ok and compiled.object, compiled.output
    ops = [
        {"op": "load", "id": "load", "log_level": log_level},
        {"op": "test_run", "id": "run", "data": udp_frame(1).hex()},
    ]
    return LocalBackend().run(Job(object=compiled.object, ops=ops, limits=limits or RunLimits()))


@pytest.mark.parametrize("log_level", [0, 1, 2])
def test_it_reports_a_rejection_with_the_verifier_log(log_level: int) -> None:
    result = run_unchecked(log_level)

    load = result.by_id("load")
    assert load and load["ok"] is False
    assert "invalid access to packet" in load["verifier_log"]
    assert load["error"] == "Permission denied (EACCES)"
    assert load["programs"] == [{"name": "peek", "section": "xdp", "type": "xdp"}]
    assert result.by_id("run") is None, "ops after a failed load are skipped"
    assert result.ok and result.events[-1]["event"] == "done" and result.events[-1]["ok"] is True


# 64 unrolled packet reads: a level-2 log far over 4 KiB. BAD also reads past the check.
LONG_LOG = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sum(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    int total = 0;
    if (data + 64 > end)
        return XDP_PASS;
#pragma unroll
    for (int i = 0; i < 64; i++)
        total += data[i] * (i + 1);
    return total == 17 ? XDP_DROP : RESULT;
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.mark.parametrize(("result_expr", "accepted"), [("XDP_PASS", True), ("data[100]", False)])
def test_it_keeps_the_end_of_a_log_that_outgrows_its_buffer(
    result_expr: str, accepted: bool
) -> None:
    compiled = compile_source(LONG_LOG.replace("RESULT", result_expr))
    assert compiled.ok and compiled.object, compiled.output
    job = Job(
        object=compiled.object,
        ops=[{"op": "load", "id": "load", "log_level": 2}],
        limits=RunLimits(verifier_log_bytes=4096),
    )

    load = LocalBackend().run(job).by_id("load")

    assert load and load["ok"] is accepted, load
    log = load["verifier_log"]
    assert len(log.encode()) <= 4096 and "earlier lines cut" in log
    assert log.rstrip().splitlines()[-1].startswith("processed ")
    if not accepted:
        assert "outside of the packet" in log
