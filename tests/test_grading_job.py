"""A lab's checks become one sandbox Job whose op ids tie results back to checks."""

from __future__ import annotations

from pathlib import Path

from labs.grading import build_job
from labs.spec import load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"


def test_it_loads_first_then_seeds_then_runs_then_dumps() -> None:
    lab = load_lab_by_slug(CONTENT, "map-lpm-blocklist")

    job, plan = build_job(lab, b"\x7fELF")
    kinds = [op["op"] for op in job.ops]

    assert kinds[0] == "load" and job.ops[0]["log_level"] == 1
    assert kinds[1 : 1 + len(lab.seeds)] == ["map_update"] * len(lab.seeds)
    packet_checks = [c for c in lab.checks if c.kind == "packet"]
    between = kinds[1 + len(lab.seeds) : -1]
    # a check's own map changes come just around its run (added-prefix-dropped)
    assert between.count("test_run") == len(packet_checks)
    assert set(between) == {"test_run", "map_update", "map_delete"}
    assert kinds[-1] == "map_dump"
    job.validate()  # the sandbox accepts it


def test_it_gives_each_check_its_own_op() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-drop-udp-port")

    job, plan = build_job(lab, b"\x7fELF")
    by_id = {op["id"]: op for op in job.ops}

    assert len(by_id) == len(job.ops)
    for check in lab.checks:
        op = by_id[plan.check_ops[check.name]]
        assert op["op"] == "test_run"
        assert bytes.fromhex(op["data"]) == check.frame
        assert op["repeat"] == check.repeat


def test_it_counts_the_runs_made_before_each_dump() -> None:
    lab = load_lab_by_slug(CONTENT, "map-array-counter")

    _, plan = build_job(lab, b"\x7fELF")

    runs = sum(c.repeat for c in lab.checks if c.kind == "packet")
    assert plan.runs_before == {"every-packet-counted": runs}


def test_it_attaches_then_triggers_then_collects_the_trace() -> None:
    lab = load_lab_by_slug(CONTENT, "tp-execve")

    job, plan = build_job(lab, b"\x7fELF")

    assert [op["op"] for op in job.ops] == [
        "load",
        "attach",
        "trigger",
        "trace",
        "trigger",
        "trace",
        "trigger",
        "trace",
        "trigger",
        "trace",
    ]
    assert job.ops[2]["argv"] == ["/bin/true"]
    assert plan.trace_ops["true-traced"] == [job.ops[2]["id"], job.ops[3]["id"]]
    job.validate()


def test_it_changes_a_checks_own_slots_just_around_its_run_and_puts_them_back() -> None:
    lab = load_lab_by_slug(CONTENT, "tail-call-proto")

    job, plan = build_job(lab, b"\x7fELF")
    ids = [op["id"] for op in job.ops]
    at = ids.index(plan.check_ops["tcp-slot-empty"])

    assert job.ops[at - 1] == {
        "op": "map_delete",
        "id": "seed:tcp-slot-empty:0",
        "map": "jmp_table",
        "key": "06000000",
    }
    assert job.ops[at + 1] == {
        "op": "map_update",
        "id": "restore:tcp-slot-empty:0",
        "map": "jmp_table",
        "key": "06000000",
        "program": "handle_tcp",
        "flags": 0,
    }
    job.validate()
