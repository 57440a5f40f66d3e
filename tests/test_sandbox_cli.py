"""`python -m sandbox`: build is idempotent, compile prints JSON, run streams events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import build
from sandbox.packets_hex import udp_frame

REPO = Path(__file__).resolve().parent.parent
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")

SOURCE = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
    bpf_printk("hello from the cli");
    return XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
"""


def sandbox_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_builds_the_agent_once() -> None:
    first = sandbox_cli("build")
    assert first.returncode == 0, first.stderr
    binaries = (build.AGENT_BINARY, build.AGENT_STATIC_BINARY)
    stamps = [b.stat().st_mtime_ns for b in binaries]

    second = sandbox_cli("build")

    assert second.returncode == 0 and second.stdout.count("up to date") == 2, second.stdout
    assert [b.stat().st_mtime_ns for b in binaries] == stamps
    headers = subprocess.run(
        ["readelf", "-l", str(build.AGENT_STATIC_BINARY)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "LOAD" in headers and "INTERP" not in headers, "the static agent needs no loader"


def test_it_prints_the_compile_result(tmp_path: Path) -> None:
    (tmp_path / "good.c").write_text(SOURCE)
    (tmp_path / "bad.c").write_text(SOURCE.replace("return XDP_DROP;", "return XDP_DROP"))

    good, bad = (
        sandbox_cli("compile", str(tmp_path / "good.c")),
        sandbox_cli("compile", str(tmp_path / "bad.c")),
    )

    assert good.returncode == 0 and json.loads(good.stdout)["ok"] is True
    result = json.loads(bad.stdout)
    assert bad.returncode == 1 and result["ok"] is False
    assert (
        result["diagnostics"][0]["file"] == "prog.c"
        and result["diagnostics"][0]["severity"] == "error"
    )


@needs_root
def test_it_runs_a_job_and_streams_its_events(tmp_path: Path) -> None:
    (tmp_path / "prog.c").write_text(SOURCE)
    job = {
        "ops": [
            {"op": "load", "id": "load"},
            {"op": "test_run", "id": "run", "data": udp_frame(1).hex()},
        ],
        "limits": {"wall_s": 10},
    }
    (tmp_path / "job.json").write_text(json.dumps(job))

    proc = sandbox_cli(
        "run", str(tmp_path / "prog.c"), "--job", str(tmp_path / "job.json"), "--backend", "local"
    )

    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1] == {**events[-1], "event": "done", "ok": True}
    by_kind = {e["event"]: e for e in events}
    assert by_kind["test_run"]["retval"] == 1
    assert by_kind["trace"]["message"] == "hello from the cli" and by_kind["trace"]["op"] == "run"


def test_it_refuses_a_bad_job_file(tmp_path: Path) -> None:
    (tmp_path / "prog.c").write_text(SOURCE)
    (tmp_path / "job.json").write_text(
        json.dumps({"ops": [{"op": "load", "id": "l"}, {"op": "shell", "id": "x"}]})
    )

    proc = sandbox_cli("run", str(tmp_path / "prog.c"), "--job", str(tmp_path / "job.json"))

    assert proc.returncode == 2 and "unknown op 'shell'" in proc.stderr
