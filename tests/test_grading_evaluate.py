"""Sandbox events -> check verdicts, on hand-written event lists (no kernel needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labs.grading import Evaluator, lay_out_job, words
from labs.grading.jobs import run_op_id
from labs.spec import load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"


def _lab(slug: str):  # type: ignore[no-untyped-def]
    return load_lab_by_slug(CONTENT, slug)


def _loaded(programs: list[dict] | None = None, maps: list[dict] | None = None) -> dict:
    programs = programs or [{"name": "prog", "section": "xdp", "type": "xdp"}]
    return {
        "event": "load",
        "id": "load",
        "ok": True,
        "verifier_log": "",
        "error": None,
        "programs": programs,
        "maps": maps or [],
    }


def _evaluate(slug: str, events: list[dict[str, Any]]) -> tuple[list, list[dict]]:
    lab = _lab(slug)
    emitted: list[dict] = []
    evaluator = Evaluator(lab, lay_out_job(lab), emitted.append)
    for event in events:
        evaluator.feed(event)
    return evaluator.finish(), emitted


def _run(check, retval: int, data_out: bytes | None = None, ok: bool = True) -> dict:  # type: ignore[no-untyped-def]
    return {
        "event": "test_run",
        "id": run_op_id(check),
        "ok": ok,
        "retval": retval,
        "data_out": (data_out if data_out is not None else check.frame).hex(),
        "duration_ns": 100,
        "error": None if ok else "Invalid argument (EINVAL)",
    }


def test_it_decides_a_packet_check_from_its_test_run() -> None:
    lab = _lab("xdp-drop-all")
    first = lab.checks[0]

    results, emitted = _evaluate("xdp-drop-all", [_loaded(), _run(first, 2)])

    assert emitted[0]["event"] == "check" and emitted[0]["name"] == first.name
    assert not results[0].passed
    assert results[0].actual == "expected XDP_DROP, got XDP_PASS"


def test_it_never_passes_a_check_whose_run_errored() -> None:
    lab = _lab("xdp-drop-all")
    first = lab.checks[0]

    results, _ = _evaluate("xdp-drop-all", [_loaded(), _run(first, 1, ok=False)])

    assert not results[0].passed
    assert "the test run failed: Invalid argument" in results[0].actual


def test_it_fails_every_check_that_did_not_run() -> None:
    results, emitted = _evaluate("xdp-drop-all", [_loaded()])

    assert len(emitted) == len(results) == len(_lab("xdp-drop-all").checks)
    assert all(not r.passed and r.actual.startswith("not run: ") for r in results)


def test_it_quotes_the_verifier_complaint_when_the_load_fails() -> None:
    log = (
        "0: R1=ctx() R10=fp0\n; if (ip->ttl <= 1) @ prog.c:22\n1: (71) r2 = *(u8 *)(r1 +22)\n"
        "invalid access to packet, off=22 size=1, R1(id=0,off=22,r=0)\n"
        "R1 offset is outside of the packet\nprocessed 2 insns (limit 1000000)\n"
    )
    load = {
        "event": "load",
        "id": "load",
        "ok": False,
        "verifier_log": log,
        "error": "Permission denied (EACCES)",
        "programs": [],
        "maps": [],
    }

    results, _ = _evaluate("verifier-bounds", [load, {"event": "done", "ok": True}])

    assert all(
        r.actual.startswith(
            "not run: the verifier rejected it at prog.c:22: invalid access to packet"
        )
        for r in results
    )


def test_it_names_a_function_left_without_a_section() -> None:
    log = (
        "libbpf: prog 'drop': missing BPF prog type, check ELF section name '.text'\n"
        "libbpf: prog 'drop': failed to load: -22\nlibbpf: failed to load object 'prog'\n"
    )
    load = {
        "event": "load",
        "id": "load",
        "ok": False,
        "verifier_log": log,
        "error": "Invalid argument (EINVAL)",
        "programs": [],
        "maps": [],
    }

    results, _ = _evaluate("xdp-drop-all", [load, {"event": "done", "ok": True}])

    assert results[0].actual.startswith("not run: function 'drop' is not in a program section")


def test_it_refuses_an_object_with_two_programs() -> None:
    programs = [
        {"name": "a", "section": "xdp", "type": "xdp"},
        {"name": "b", "section": "xdp", "type": "xdp"},
    ]
    lab = _lab("xdp-drop-all")

    results, _ = _evaluate("xdp-drop-all", [_loaded(programs), _run(lab.checks[0], 1)])

    assert all(not r.passed for r in results)
    assert (
        results[0].actual == "not run: this lab wants exactly one program; your object has 2 (a, b)"
    )


def test_it_refuses_a_program_in_the_wrong_section() -> None:
    programs = [{"name": "p", "section": "xdp", "type": "xdp"}]

    results, _ = _evaluate("tc-drop-icmp", [_loaded(programs)])

    assert (
        results[0].actual == "not run: program 'p' is in section 'xdp'; this lab wants SEC(\"tc\")"
    )


def test_it_reads_tc_return_values_as_signed() -> None:
    lab = _lab("tc-drop-icmp")
    programs = [{"name": "p", "section": "tc", "type": "sched_cls"}]

    results, _ = _evaluate("tc-drop-icmp", [_loaded(programs), _run(lab.checks[0], 2**32 - 1)])

    assert results[0].actual == "expected TC_ACT_SHOT, got TC_ACT_UNSPEC"


def test_it_matches_trace_lines_to_their_run() -> None:
    lab = _lab("hello-printk")
    first, second = lab.checks[0], lab.checks[1]
    events = [
        _loaded(),
        {"event": "trace", "op": run_op_id(first), "message": "Hello, eBPF!\n", "line": "x"},
        _run(first, 2),
        {"event": "trace", "op": run_op_id(second), "message": "Hello, eBPF!", "line": "x"},
        {"event": "trace", "op": run_op_id(second), "message": "Hello, eBPF!", "line": "x"},
        _run(second, 2),
    ]

    results, _ = _evaluate("hello-printk", events)

    assert results[0].passed
    assert not results[1].passed
    assert 'printed "Hello, eBPF!", "Hello, eBPF!"' in results[1].actual


def _percpu_map(**overrides: Any) -> dict:
    spec = {
        "name": "proto_stats",
        "type": "percpu_array",
        "key_size": 4,
        "value_size": 8,
        "max_entries": 256,
        "flags": 0,
    }
    return {**spec, **overrides}


def _dump(entries: list[dict]) -> dict:
    return {
        "event": "map_dump",
        "id": "dump:counted-per-protocol",
        "ok": True,
        "map": "proto_stats",
        "type": "percpu_array",
        "key_size": 4,
        "value_size": 8,
        "percpu": True,
        "entries": entries,
        "truncated": False,
    }


def _percpu_entry(key: int, *per_cpu: int) -> dict:
    return {
        "key": key.to_bytes(4, "little").hex(),
        "values": [v.to_bytes(8, "little").hex() for v in per_cpu],
    }


def test_it_sums_per_cpu_values() -> None:
    entries = [
        _percpu_entry(17, 3, 1),
        _percpu_entry(6, 0, 2),
        _percpu_entry(1, 1, 0),
        _percpu_entry(47, 0, 1),
        _percpu_entry(0, 0, 0),
    ]

    results, _ = _evaluate("map-percpu-proto", [_loaded(maps=[_percpu_map()]), _dump(entries)])

    assert results[-1].passed, results[-1].actual


def test_it_names_each_wrong_entry() -> None:
    entries = [
        _percpu_entry(17, 3),
        _percpu_entry(6, 2),
        _percpu_entry(1, 1),
        _percpu_entry(47, 1),
        _percpu_entry(0, 2),
    ]

    results, _ = _evaluate("map-percpu-proto", [_loaded(maps=[_percpu_map()]), _dump(entries)])

    assert results[-1].actual == "[17]: expected 4, got 3; unexpected entry [0] = 2"


def test_it_checks_the_map_definition_before_the_entries() -> None:
    wrong = _percpu_map(type="array", value_size=4)

    results, _ = _evaluate("map-percpu-proto", [_loaded(maps=[wrong]), _dump([])])

    assert results[-1].actual == (
        "map proto_stats: type: expected percpu_array, got array; "
        "value_size: expected 8 bytes, got 4"
    )


def test_it_decides_trigger_checks_at_the_end_of_the_run() -> None:
    programs = [
        {"name": "p", "section": "tracepoint/syscalls/sys_enter_execve", "type": "tracepoint"}
    ]
    events = [
        _loaded(programs),
        {"event": "attach", "id": "attach", "ok": True, "target": "x", "error": None},
        {"event": "trace", "op": "trigger:true-traced", "message": "execve: /bin/true"},
        {
            "event": "trigger",
            "id": "trigger:true-traced",
            "ok": True,
            "exit_code": 0,
            "error": None,
        },
        {
            "event": "trigger",
            "id": "trigger:echo-traced",
            "ok": True,
            "exit_code": 0,
            "error": None,
        },
        {"event": "trace", "op": "trace:echo-traced", "message": "execve: /bin/ech"},
    ]
    lab = _lab("tp-execve")
    emitted: list[dict] = []
    evaluator = Evaluator(lab, lay_out_job(lab), emitted.append)
    for event in events:
        evaluator.feed(event)
    assert emitted == []

    evaluator.feed({"event": "done", "ok": True})

    assert [(e["name"], e["passed"]) for e in emitted] == [
        ("true-traced", True),
        ("echo-traced", False),
    ]
    assert 'lines seen: "execve: /bin/ech"' in words.say(emitted[1]["actual"])
