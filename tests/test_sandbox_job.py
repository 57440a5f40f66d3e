"""The Job model: JSON and wire round trips, and validation with clear errors."""

from __future__ import annotations

import pytest

from sandbox.job import Job, Result, RunLimits
from sandbox.wire import decode_job, encode_job

PACKET = "02000000000202000000000108004500001c000100004011" + "00" * 14


def make_job(*ops: dict, limits: RunLimits | None = None) -> Job:
    return Job(
        object=b"\x7fELF fake object \x00\xff",
        ops=[{"op": "load", "id": "load", "log_level": 2}, *ops],
        limits=limits or RunLimits(),
    )


def full_job() -> Job:
    return make_job(
        {"op": "map_update", "id": "seed", "map": "blocklist", "key": "0a0b", "value": "01"},
        {"op": "test_run", "id": "t 1/é", "program": "prog", "data": PACKET, "repeat": 3},
        {"op": "map_dump", "id": "dump", "map": "blocklist"},
        {
            "op": "attach",
            "id": "att",
            "program": None,
            "target": "tracepoint/syscalls/sys_enter_execve",
        },
        {"op": "traffic", "id": "tx", "packets": [PACKET, PACKET], "count": 2},
        {
            "op": "trigger",
            "id": "trig",
            "argv": ["/bin/echo", "a b", "100%", "x=y"],
            "timeout_ms": 500,
        },
        {"op": "trace", "id": "wait", "wait_ms": 50},
        limits=RunLimits(wall_s=7, max_trace_lines=10, max_repeat=5),
    )


def test_it_round_trips_through_json() -> None:
    job = full_job()
    again = Job.from_json(job.to_json())
    assert again == job


def test_it_round_trips_through_the_wire_format() -> None:
    job = full_job()
    wire = encode_job(job)
    assert wire.endswith(b"\nend\n")
    assert all(
        line.isascii() and " " not in line.split(" ", 1)[0] for line in wire.decode().splitlines()
    )
    again = decode_job(wire)
    expected_ops = [{k: v for k, v in op.items() if v is not None} for op in job.ops]
    assert again.ops == expected_ops
    assert again.object == job.object
    assert again.limits == job.limits


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "explode", "id": "x"}, "unknown op 'explode'"),
        ({"op": "test_run", "id": "x", "data": "0g"}, "not valid hex"),
        ({"op": "test_run", "id": "x", "data": "abc"}, "not valid hex"),
        ({"op": "test_run", "id": "x", "data": PACKET, "repeat": 6}, "over the limit of 5"),
        ({"op": "trigger", "id": "x", "argv": ["/bin/sh", "-c", "id"]}, "not on the allow list"),
        (
            {"op": "map_update", "id": "x", "map": "m", "key": "00", "value": "zz"},
            "value is not valid hex",
        ),
        ({"op": "traffic", "id": "x", "packets": ["0011"]}, "shorter than an Ethernet header"),
        ({"op": "attach", "id": "x", "target": "uprobe/do_sys_open"}, "target must be"),
        ({"op": "attach", "id": "x", "target": "kprobe/a/b"}, "target must be"),
        ({"op": "attach", "id": "x", "sections": "xdp"}, "sections must be a list"),
        (
            {"op": "map_update", "id": "x", "map": "m", "key": "00", "value": "00", "program": "p"},
            "not both",
        ),
        ({"op": "trigger", "id": "x", "argv": ["@format-disk"]}, "not on the allow list"),
        ({"op": "load", "id": "again"}, "load must be the first op"),
        ({"op": "map_dump", "id": "load", "map": "m"}, "duplicate id 'load'"),
    ],
)
def test_it_rejects_bad_ops_with_a_clear_error(op: dict, message: str) -> None:
    job = make_job(op, limits=RunLimits(max_repeat=5))
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        job.validate()


def test_it_requires_load_first() -> None:
    job = Job(object=b"x", ops=[{"op": "map_dump", "id": "d", "map": "m"}])
    with pytest.raises(ValueError, match="load must be the first op"):
        job.validate()


def test_it_rejects_unknown_limits() -> None:
    with pytest.raises(ValueError, match="unknown limits: wall"):
        RunLimits.from_dict({"wall": 3})


def test_it_finds_results_and_trace_lines_by_op() -> None:
    result = Result(
        ok=True,
        events=[
            {"event": "trace", "op": "a", "message": "one"},
            {"event": "test_run", "id": "a", "retval": 2},
            {"event": "trace", "op": "b", "message": "two"},
            {"event": "done", "ok": True},
        ],
    )
    assert result.by_id("a") == {"event": "test_run", "id": "a", "retval": 2}
    assert result.by_id("b") is None
    assert [e["message"] for e in result.trace_lines("b")] == ["two"]
    assert len(result.trace_lines()) == 2
    assert Result.from_dict(result.to_dict()) == result
