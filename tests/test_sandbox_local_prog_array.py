"""A PROG_ARRAY slot is filled with one of the object's own programs, by name."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u32); } jumps SEC(".maps");
SEC("xdp") int entry(struct xdp_md *ctx) { bpf_tail_call(ctx, &jumps, 2); return XDP_PASS; }
SEC("xdp") int dropper(struct xdp_md *ctx) { return XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
"""
FRAME = "0200000000020200000000010806" + "00" * 28


def run(*ops: dict):  # type: ignore[no-untyped-def]
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    result = LocalBackend().run(
        Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *ops])
    )
    assert result.ok, result.error
    return result


def test_it_stores_a_program_by_name_and_the_tail_call_reaches_it() -> None:
    result = run(
        {"op": "test_run", "id": "empty", "program": "entry", "data": FRAME},
        {"op": "map_update", "id": "fill", "map": "jumps", "key": "02000000", "program": "dropper"},
        {"op": "test_run", "id": "filled", "program": "entry", "data": FRAME},
    )

    assert result.by_id("empty")["retval"] == 2  # type: ignore[index]  # XDP_PASS: slot empty
    assert result.by_id("fill")["ok"] is True  # type: ignore[index]
    assert result.by_id("filled")["retval"] == 1  # type: ignore[index]  # XDP_DROP, from dropper


def test_it_names_the_program_it_cannot_find() -> None:
    result = run(
        {"op": "map_update", "id": "fill", "map": "jumps", "key": "00000000", "program": "nope"}
    )

    assert result.by_id("fill") == {
        **result.by_id("fill"),  # type: ignore[dict-item]
        "ok": False,
        "error": "no program named 'nope' to store in jumps",
    }


def test_it_empties_a_slot_so_the_tail_call_falls_through() -> None:
    result = run(
        {"op": "map_update", "id": "fill", "map": "jumps", "key": "02000000", "program": "dropper"},
        {"op": "test_run", "id": "filled", "program": "entry", "data": FRAME},
        {"op": "map_delete", "id": "empty", "map": "jumps", "key": "02000000"},
        {"op": "test_run", "id": "emptied", "program": "entry", "data": FRAME},
        {"op": "map_delete", "id": "again", "map": "jumps", "key": "02000000"},
        {"op": "map_delete", "id": "short", "map": "jumps", "key": "02"},
    )

    assert result.by_id("filled")["retval"] == 1  # type: ignore[index]  # XDP_DROP, dropper
    assert result.by_id("empty")["ok"] is True  # type: ignore[index]
    assert result.by_id("emptied")["retval"] == 2  # type: ignore[index]  # XDP_PASS: fell through
    assert result.by_id("again")["ok"] is True  # type: ignore[index]  # already empty
    assert result.by_id("short")["error"] == "key is 1 bytes, the map's key_size is 4"  # type: ignore[index]
