"""A trigger's process runs under the name the job gives it (`comm`), drawn per run by
the grader, so a program cannot pick the harness's own calls out by the agent's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs import curriculum
from labs.grading.jobs import lay_out_job
from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job

# Records the comm and tgid of every unlink (host tracepoints suffice).
COMM_RECORDER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct event { __u32 tgid; char comm[16]; };
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } events SEC(".maps");
SEC("tp/syscalls/sys_enter_unlink")
int rec(void *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""


def comms_seen(tmp_path: Path, **trigger: str) -> tuple[int, list[str]]:
    compiled = compile_source(COMM_RECORDER)
    assert compiled.ok and compiled.object, compiled.output
    ops = [
        {"op": "load", "id": "load"},
        {"op": "attach", "id": "attach", "target": "tracepoint/syscalls/sys_enter_unlink"},
        {"op": "trigger", "id": "rm", "argv": ["@rm", str(tmp_path / "never-made")], **trigger},
        {"op": "trace", "id": "trace", "wait_ms": 100},
    ]
    result = LocalBackend().run(Job(object=compiled.object, ops=ops))
    assert result.ok, result.error
    pid = result.by_id("rm")["pid"]  # type: ignore[index]
    comms = []
    for event in result.records("events"):
        data = bytes.fromhex(event["data"])
        if int.from_bytes(data[0:4], "little") == pid:
            comms.append(data[4:].split(b"\0")[0].decode())
    return pid, comms


@pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")
def test_it_runs_a_trigger_under_the_name_the_job_gives(tmp_path: Path) -> None:
    _, named = comms_seen(tmp_path, comm="qzkvbnwmxr")
    _, unnamed = comms_seen(tmp_path)

    assert named == ["qzkvbnwmxr"]
    assert unnamed == ["bpflab-agent"]


def test_it_refuses_a_name_the_kernel_would_cut_or_a_path() -> None:
    for bad in ("a" * 16, "", "x/y", "two words"):
        job = Job(
            object=b"\x7fELF",
            ops=[
                {"op": "load", "id": "load"},
                {"op": "trigger", "id": "t", "argv": ["/bin/true"], "comm": bad},
            ],
        )
        with pytest.raises(ValueError, match="comm"):
            job.validate()


def test_it_draws_a_new_name_for_every_run() -> None:
    lab = curriculum.get_lab("kprobe-unlink")

    def names() -> set[str]:
        return {op["comm"] for op in lay_out_job(lab).ops if op["op"] == "trigger"}

    first, second = names(), names()
    assert len(first) == 1 and len(second) == 1
    assert first != second and "bpflab-agent" not in first | second
