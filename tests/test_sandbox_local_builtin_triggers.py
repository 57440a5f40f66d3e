"""The agent's built-in triggers: files made and removed, an exec by another path and
from a second thread, each in one forked process whose pid the trigger event names."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# Records every execve's tgid, tid and path in a ring buffer (host tracepoints suffice).
EXEC_RECORDER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct event { __u32 tgid; __u32 tid; char path[96]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");
struct args { __u64 head; __u64 nr; const char *filename; };
SEC("tp/syscalls/sys_enter_execve")
int rec(struct args *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	__u64 id = bpf_get_current_pid_tgid();
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	bpf_probe_read_user_str(e->path, sizeof(e->path), ctx->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

PASS = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""


def run(source: str, *ops: dict):  # type: ignore[no-untyped-def]
    compiled = compile_source(source)
    assert compiled.ok and compiled.object, compiled.output
    result = LocalBackend().run(
        Job(object=compiled.object, ops=[{"op": "load", "id": "load"}, *ops])
    )
    assert result.ok, result.error
    return result


def records_of(result, pid: int) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    found = []
    for event in result.records("events"):
        data = bytes.fromhex(event["data"])
        tgid, tid = int.from_bytes(data[0:4], "little"), int.from_bytes(data[4:8], "little")
        if tgid == pid:
            found.append((tgid, tid, data[8:].split(b"\0")[0].decode()))
    return found


def test_it_creates_and_removes_files_by_absolute_and_relative_path(tmp_path: Path) -> None:
    name = f"bpflab-{secrets.token_hex(4)}"
    result = run(
        PASS,
        {
            "op": "trigger",
            "id": "create",
            "argv": ["@create", str(tmp_path / name), str(tmp_path / "b")],
        },
        {"op": "trigger", "id": "rm", "argv": ["@rm", str(tmp_path / "b")]},
        {"op": "trigger", "id": "missing", "argv": ["@rm", str(tmp_path / "never-made")]},
        {"op": "trigger", "id": "rm-at", "argv": ["@rm-at", str(tmp_path), name]},
    )

    assert [result.by_id(i)["exit_code"] for i in ("create", "rm", "missing", "rm-at")] == [
        0,
        0,
        1,
        0,
    ]  # type: ignore[index]
    assert list(tmp_path.iterdir()) == []
    pids = {result.by_id(i)["pid"] for i in ("create", "rm", "missing", "rm-at")}  # type: ignore[index]
    assert len(pids) == 4 and os.getpid() not in pids


def test_it_execs_by_a_long_path_and_from_a_second_thread() -> None:
    long_path = "/bin/" + "./" * 40 + "true"
    result = run(
        EXEC_RECORDER,
        {
            "op": "attach",
            "id": "attach",
            "program": None,
            "target": "tracepoint/syscalls/sys_enter_execve",
        },
        {"op": "trigger", "id": "long", "argv": ["@exec", long_path]},
        {"op": "trigger", "id": "thread", "argv": ["@exec-thread", "/bin/true"]},
        {"op": "trace", "id": "wait", "wait_ms": 100},
    )

    long, thread = result.by_id("long"), result.by_id("thread")
    assert long and long["ok"] and long["exit_code"] == 0
    assert thread and thread["ok"] and thread["exit_code"] == 0
    assert records_of(result, long["pid"]) == [(long["pid"], long["pid"], long_path[:95])]
    [(tgid, tid, path)] = records_of(result, thread["pid"])
    assert (tgid, path) == (thread["pid"], "/bin/true")
    assert tid != tgid  # the exec really came from another thread


def test_it_refuses_to_exec_a_program_off_the_allow_list() -> None:
    result = run(PASS, {"op": "trigger", "id": "sh", "argv": ["@exec", "/bin/sh"]})

    refused = result.by_id("sh")
    assert refused and refused["ok"] is False
    assert refused["error"] == "cannot run @exec: Permission denied (EACCES)"


def test_it_execs_missing_paths_then_a_real_one_from_one_process(tmp_path: Path) -> None:
    missing = str(tmp_path / f"bpflab-{secrets.token_hex(4)}-missing")
    result = run(
        EXEC_RECORDER,
        {
            "op": "attach",
            "id": "attach",
            "program": None,
            "target": "tracepoint/syscalls/sys_enter_execve",
        },
        {"op": "trigger", "id": "retry", "argv": ["@exec-retry", missing, missing, "/bin/true"]},
        {"op": "trace", "id": "wait", "wait_ms": 100},
    )

    retry = result.by_id("retry")
    assert retry and retry["ok"] and retry["exit_code"] == 0
    pid = retry["pid"]
    assert records_of(result, pid) == [
        (pid, pid, missing),
        (pid, pid, missing),
        (pid, pid, "/bin/true"),
    ]


def test_it_refuses_an_exec_retry_whose_first_path_exists(tmp_path: Path) -> None:
    existing = tmp_path / "there"
    existing.write_text("")

    result = run(
        EXEC_RECORDER,
        {
            "op": "attach",
            "id": "attach",
            "program": None,
            "target": "tracepoint/syscalls/sys_enter_execve",
        },
        {
            "op": "trigger",
            "id": "retry",
            "argv": ["@exec-retry", str(tmp_path / "missing"), str(existing), "/bin/true"],
        },
        {"op": "trace", "id": "wait", "wait_ms": 100},
    )

    retry = result.by_id("retry")
    assert retry and retry["exit_code"] == 2  # bad arguments
    assert records_of(result, retry["pid"]) == []  # checked before any exec
