"""Trace lines: attributed to the op that printed them, capped live, private to each run."""

from __future__ import annotations

import threading

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

PRINT_LEN = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say(struct xdp_md *ctx)
{
    bpf_printk("MARK len=%d", (int)(ctx->data_end - ctx->data));
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def compiled(source: str) -> bytes:
    result = compile_source(source)
    assert result.ok and result.object, result.output
    return result.object


def run(source: str, ops: list[dict], limits: RunLimits | None = None, on_event=None) -> Result:  # type: ignore[no-untyped-def]
    job = Job(
        object=compiled(source),
        ops=[{"op": "load", "id": "load"}, *ops],
        limits=limits or RunLimits(),
    )
    result = LocalBackend().run(job, on_event=on_event)
    assert result.ok, result.error
    return result


def packet(size: int) -> str:
    frame = udp_frame(53)
    return (frame + b"\0" * (size - len(frame))).hex()


def test_it_attributes_trace_lines_to_the_test_run_that_printed_them() -> None:
    result = run(
        PRINT_LEN,
        [
            {"op": "test_run", "id": "small", "data": packet(60)},
            {"op": "test_run", "id": "big", "data": packet(100), "repeat": 2},
            {"op": "trace", "id": "later", "wait_ms": 20},
        ],
    )

    assert [t["message"] for t in result.trace_lines("small")] == ["MARK len=60"]
    assert [t["message"] for t in result.trace_lines("big")] == ["MARK len=100"] * 2
    assert result.trace_lines("later") == []
    line = result.trace_lines("small")[0]
    assert line["pid"] > 0 and line["cpu"] >= 0 and isinstance(line["timestamp"], float)
    assert line["task"] and line["line"].endswith("bpf_trace_printk: MARK len=60")
    order = [
        e.get("id") or e.get("op") for e in result.events if e["event"] in ("trace", "test_run")
    ]
    assert order == ["small", "small", "big", "big", "big"], "lines come before their op's result"


def test_it_caps_a_printk_flood_on_the_live_stream() -> None:
    live: list[dict] = []
    result = run(
        PRINT_LEN,
        [
            {"op": "test_run", "id": "flood", "data": packet(64), "repeat": 1000},
            {"op": "test_run", "id": "after", "data": packet(64)},
        ],
        RunLimits(max_trace_lines=50),
        on_event=live.append,
    )

    assert len([e for e in live if e["event"] == "trace"]) == 50
    truncated = [e for e in live if e["event"] == "truncated"]
    assert [(e["what"], e["limit"]) for e in truncated] == [("trace", 50)]
    assert live.index(truncated[0]) > max(i for i, e in enumerate(live) if e["event"] == "trace")
    assert result.by_id("flood")["ok"] and result.by_id("after")["ok"]  # type: ignore[index]


def test_it_caps_the_whole_output_and_still_ends_with_done() -> None:
    live: list[dict] = []
    result = run(
        PRINT_LEN,
        [{"op": "test_run", "id": f"run{i}", "data": packet(64), "repeat": 20} for i in range(5)],
        RunLimits(max_output_bytes=4000),
        on_event=live.append,
    )

    assert sum(len(str(e)) for e in live[:-2]) < 8000
    assert [e["what"] for e in live if e["event"] == "truncated"] == ["output"]
    assert live[-1]["event"] == "done" and result.by_id("run4") is None


def test_it_escapes_control_characters_and_invalid_utf8() -> None:
    # the kernel refuses such bytes in a format string, not in a %s argument
    odd = r"""char odd[] = {'t', 'a', 'b', 9, 1, ' ', (char)0xff, (char)0xfe, '"', 0};
    bpf_printk("%s end", odd);"""
    source = PRINT_LEN.replace('bpf_printk("MARK len=%d", (int)(ctx->data_end - ctx->data));', odd)
    result = run(source, [{"op": "test_run", "id": "odd", "data": packet(64)}])

    [line] = result.trace_lines("odd")
    assert line["message"] == 'tab\t\x01 \ufffd\ufffd" end'


def test_it_keeps_concurrent_runs_trace_lines_apart() -> None:
    results: dict[str, Result] = {}
    objects = {name: compiled(PRINT_LEN.replace("MARK", name)) for name in ("ALPHA", "BRAVO")}

    def one(name: str) -> None:
        ops = [{"op": "load", "id": "load"}]
        for i in range(15):
            ops += [
                {"op": "test_run", "id": f"r{i}", "data": packet(64), "repeat": 5},
                {"op": "trace", "id": f"w{i}", "wait_ms": 10},
            ]
        results[name] = LocalBackend().run(Job(object=objects[name], ops=ops))

    threads = [threading.Thread(target=one, args=(name,)) for name in objects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for name, result in results.items():
        assert result.ok, result.error
        messages = {t["message"] for t in result.trace_lines()}
        assert messages == {f"{name} len=64"}
        assert len(result.trace_lines()) == 75
