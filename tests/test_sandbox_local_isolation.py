"""Concurrent runs on the shared host kernel never read each other's trace lines, even
when one of them attaches a tracepoint program (which fires, and prints with their pid,
in every process on the host: the other run's trigger included)."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from sandbox.backends.local import TRACEFS, LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

TRACEPOINT_A = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx) { bpf_printk("A-was-here"); return 0; }
char LICENSE[] SEC("license") = "GPL";
"""
XDP_B = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say_b(struct xdp_md *ctx) { bpf_printk("B"); return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""
SILENT = XDP_B.replace('bpf_printk("B"); ', "")
REPETITIONS = 3


def compiled(source: str) -> bytes:
    result = compile_source(source, disassemble=False)
    assert result.ok and result.object, result.output
    return result.object


def job_a(obj: bytes) -> Job:
    return Job(
        object=obj,
        ops=[
            {"op": "load", "id": "load"},
            {"op": "attach", "id": "exec", "program": "on_exec"},
            {"op": "trigger", "id": "true", "argv": ["/bin/true"]},
            # keeps the tracepoint attached while B would run its trigger
            {"op": "trace", "id": "hold", "wait_ms": 300},
        ],
    )


def job_b(obj: bytes) -> Job:
    return Job(
        object=obj,
        ops=[
            {"op": "load", "id": "load"},
            {"op": "test_run", "id": "run", "data": udp_frame(53).hex()},
            {"op": "trigger", "id": "true", "argv": ["/bin/true"]},
            {"op": "trace", "id": "late", "wait_ms": 50},
        ],
    )


def messages(result: Result) -> list[str]:
    return [line["message"] for line in result.trace_lines()]


def run_pair(obj_a: bytes, obj_b: bytes) -> tuple[Result, Result]:
    """Starts B as soon as A's tracepoint program is attached."""
    attached = threading.Event()
    results: dict[str, Result] = {}

    def watch_a(event: dict[str, Any]) -> None:
        if event["event"] == "attach":
            attached.set()

    def run_a() -> None:
        results["a"] = LocalBackend().run(job_a(obj_a), on_event=watch_a)
        attached.set()  # B must not wait forever if A failed before attaching

    thread = threading.Thread(target=run_a)
    thread.start()
    assert attached.wait(20)
    results["b"] = LocalBackend().run(job_b(obj_b))
    thread.join(30)
    return results["a"], results["b"]


def test_it_never_lets_a_tracepoint_of_one_run_print_into_another_runs_trace() -> None:
    obj_a, obj_b = compiled(TRACEPOINT_A), compiled(XDP_B)
    for _ in range(REPETITIONS):
        a, b = run_pair(obj_a, obj_b)

        assert a.ok and b.ok, (a.error, b.error)
        assert a.by_id("exec")["ok"], a.by_id("exec")  # type: ignore[index]
        assert "A-was-here" in messages(a), "A's program printed for A's own trigger"
        assert b.by_id("true")["ok"], b.by_id("true")  # type: ignore[index]
        assert "B" in messages(b)
        assert "A-was-here" not in messages(b), messages(b)
    assert LocalBackend().wait_idle(10)


def our_instances() -> set[str]:
    prefix = f"bpflab-local-{os.getpid()}-"
    return {p.name for p in (TRACEFS / "instances").iterdir() if p.name.startswith(prefix)}


@pytest.mark.parametrize(("source", "expects_instance"), [(XDP_B, True), (SILENT, False)])
def test_it_makes_a_trace_instance_only_for_an_object_that_can_print(
    source: str, expects_instance: bool
) -> None:
    backend = LocalBackend()
    assert backend.wait_idle(10)
    seen: list[set[str]] = []

    def look(event: dict[str, Any]) -> None:
        if event["event"] == "test_run":
            seen.append(our_instances())

    result = backend.run(job_b(compiled(source)), on_event=look)

    assert result.ok, result.error
    assert result.by_id("run")["retval"] == 2  # type: ignore[index]  # XDP_PASS: it ran
    assert bool(seen and seen[0]) is expects_instance
    assert messages(result) == (["B"] if expects_instance else [])
    assert backend.wait_idle(10) and our_instances() == set()
