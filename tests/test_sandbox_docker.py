"""The docker backend runs the same agent in a throwaway container and gets the same
results as the local backend: an XDP job (test runs, a map, live traffic, trace lines)
and a tracepoint job (a trigger command's execve). Its trace lines are its own, the
wall limit kills the container, and no container or trace instance outlives a run.

Needs a Docker daemon: the tests start `dockerd` when none answers and skip (saying
why) only when none can start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import docker_image
from sandbox.backends.docker import INSTANCE_PREFIX, DockerBackend, reap_stale
from sandbox.backends.local import TRACEFS, LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result, RunLimits

XDP_COUNTER = """\
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count_and_greet(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *count = bpf_map_lookup_elem(&pkt_count, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    bpf_printk("len=%d", ctx->data_end - ctx->data);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
"""

EXECVE_PRINTER = """\
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct execve_args {
    unsigned long long common;
    int nr;
    const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int print_execve(struct execve_args *ctx)
{
    char name[64];
    bpf_probe_read_user_str(name, sizeof(name), ctx->filename);
    bpf_printk("execve: %s", name);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
"""

# 192.0.2.1 -> 198.51.100.7, UDP 1234 -> 9999, padded to 60 bytes.
UDP_FRAME = (
    "020000000002"
    "020000000001"
    "0800"
    "4500002e00000000401100000c000201c6336407"
    "04d2270f001a0000" + "00" * 18
)


@pytest.fixture(scope="module")
def docker_backend() -> Iterator[DockerBackend]:
    backend = DockerBackend()
    daemon = None
    ok, reason = backend.available()
    if not ok:
        daemon, reason = _start_dockerd(backend, reason)
        ok = daemon is not None
    if not ok:
        print(f"skipping the docker backend tests: {reason}")
        pytest.skip(reason)
    yield backend
    if daemon is not None:
        daemon.terminate()
        daemon.wait(timeout=30)


def _start_dockerd(backend: DockerBackend, reason: str) -> tuple[Any, str]:
    if os.geteuid() != 0 or shutil.which("dockerd") is None:
        return None, reason
    log = Path("/var/log/bpflab-test-dockerd.log")
    with log.open("ab") as output:
        daemon = subprocess.Popen(["dockerd"], stdout=output, stderr=output, start_new_session=True)
    for _ in range(60):
        ok, reason = backend.available()
        if ok:
            return daemon, reason
        if daemon.poll() is not None:
            return None, f"dockerd exited ({daemon.returncode}); see {log.name}"
        time.sleep(0.5)
    daemon.terminate()
    return None, f"dockerd did not answer within 30 s: {reason}"


def compiled(source: str) -> bytes:
    result = compile_source(source)
    assert result.ok, result.output
    assert result.object is not None
    return result.object


def comparable(result: Result) -> list[tuple[Any, ...]]:
    """What must agree between backends: every op result and every trace message, per op.

    Timings, pids, cpus and timestamps differ by nature; the docker backend's extra
    `stage: booting` is about the sandbox, not the job."""
    volatile = {"t", "duration_ns", "pid"}  # a trigger's pid: per pid namespace
    kept: list[tuple[Any, ...]] = []
    for event in result.events:
        if event["event"] == "trace":
            kept.append(("trace", event["op"], event["message"]))
        elif event["event"] != "stage":
            kept.append(tuple(sorted((k, repr(v)) for k, v in event.items() if k not in volatile)))
    return kept


def xdp_job() -> Job:
    return Job(
        object=compiled(XDP_COUNTER),
        ops=[
            {"op": "load", "id": "load"},
            {"op": "test_run", "id": "run", "program": None, "data": UDP_FRAME, "repeat": 3},
            {"op": "attach", "id": "attach", "program": None, "target": None},
            {"op": "traffic", "id": "traffic", "packets": [UDP_FRAME], "count": 2},
            {"op": "trace", "id": "wait", "wait_ms": 100},
            {"op": "map_dump", "id": "dump", "map": "pkt_count"},
        ],
    )


def execve_job(wall_s: float = 20) -> Job:
    return Job(
        object=compiled(EXECVE_PRINTER),
        ops=[
            {"op": "load", "id": "load"},
            {"op": "attach", "id": "attach", "program": None, "target": None},
            {"op": "trigger", "id": "true", "argv": ["/bin/true"], "timeout_ms": 2000},
            {"op": "trace", "id": "wait", "wait_ms": 100},
        ],
        limits=RunLimits(wall_s=wall_s),
    )


def sandbox_containers(backend: DockerBackend) -> list[Any]:
    return backend.client().containers.list(all=True, filters={"label": "bpflab=sandbox-run"})


def leftover_instances() -> list[str]:
    return [p.name for p in (TRACEFS / "instances").glob(f"{INSTANCE_PREFIX}*")]


def test_it_runs_an_xdp_job_like_the_local_backend(docker_backend):
    job = xdp_job()

    in_docker = docker_backend.run(job)
    on_host = LocalBackend().run(job)

    assert in_docker.ok, in_docker.error
    assert on_host.ok, on_host.error
    assert comparable(in_docker) == comparable(on_host)
    assert in_docker.by_id("run")["retval"] == 2  # XDP_PASS
    assert [line["message"] for line in in_docker.trace_lines("run")] == ["len=60"] * 3
    assert len(in_docker.trace_lines("traffic") + in_docker.trace_lines("wait")) == 2
    counter = in_docker.by_id("dump")["entries"][0]["value"]
    assert int.from_bytes(bytes.fromhex(counter), "little") == 5


def test_it_runs_a_tracepoint_job_like_the_local_backend(docker_backend):
    job = execve_job()

    in_docker = docker_backend.run(job)
    on_host = LocalBackend().run(job)

    assert in_docker.ok, in_docker.error
    assert comparable(in_docker) == comparable(on_host)
    assert "execve: /bin/true" in [line["message"] for line in in_docker.trace_lines()]


def test_it_runs_a_ping_trigger_like_the_local_backend(docker_backend):
    # busybox's ping in the image, iputils' on the host: both must reach the loopback of
    # the run's own network namespace (the container's needs NET_RAW for its raw socket).
    ping = ["/bin/ping", "-c", "1", "-W", "2", "127.0.0.1"]
    job = Job(
        object=compiled(XDP_COUNTER),
        ops=[
            {"op": "load", "id": "load"},
            {"op": "trigger", "id": "ping", "argv": ping, "timeout_ms": 5000},
        ],
    )

    in_docker = docker_backend.run(job)
    on_host = LocalBackend().run(job)

    assert in_docker.ok, in_docker.error
    assert in_docker.by_id("ping")["exit_code"] == 0, in_docker.by_id("ping")
    assert comparable(in_docker) == comparable(on_host)


def test_it_keeps_trace_lines_of_host_processes_out(docker_backend):
    # The execve program fires for every exec on the host; only the container's own
    # process tree may show up in its trace.
    stop = threading.Event()

    def exec_on_the_host() -> None:
        while not stop.is_set():
            subprocess.run(["/bin/echo", "host-side"], stdout=subprocess.DEVNULL, check=False)

    noise = threading.Thread(target=exec_on_the_host)
    noise.start()
    try:
        result = docker_backend.run(execve_job())
    finally:
        stop.set()
        noise.join()

    assert result.ok, result.error
    assert {line["message"] for line in result.trace_lines()} == {"execve: /bin/true"}


def test_it_keeps_a_concurrent_runs_tracepoint_lines_out(docker_backend):
    # Both programs fire for every exec on the host, in the exec-ing process's context.
    def tagged_job(tag: str) -> Job:
        return Job(
            object=compiled(EXECVE_PRINTER.replace('"execve: %s"', f'"{tag}: %s"')),
            ops=[
                {"op": "load", "id": "load"},
                {"op": "attach", "id": "attach", "program": None, "target": None},
                {"op": "trigger", "id": "sleep", "argv": ["/bin/sleep", "0.3"], "timeout_ms": 2000},
                {"op": "trigger", "id": "true", "argv": ["/bin/true"], "timeout_ms": 2000},
            ],
        )

    jobs = {"first": tagged_job("first"), "second": tagged_job("second")}
    results: dict[str, Result] = {}
    threads = [
        threading.Thread(target=lambda t=tag: results.update({t: docker_backend.run(jobs[t])}))
        for tag in jobs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for tag, result in results.items():
        assert result.ok, result.error
        assert {line["message"].split(":")[0] for line in result.trace_lines()} == {tag}


def test_it_kills_and_removes_the_container_at_the_wall_limit(docker_backend):
    job = Job(
        object=compiled(XDP_COUNTER),
        ops=[{"op": "load", "id": "load"}, {"op": "trace", "id": "wait", "wait_ms": 10_000}],
        limits=RunLimits(wall_s=2),
    )

    result = docker_backend.run(job)

    assert not result.ok
    assert result.time_limit == {"op": "trace", "id": "wait", "limit_s": 2, "what": "wall"}
    assert 1.9 < result.duration_s < 6
    assert [e["event"] for e in result.events[-2:]] == ["time_limit", "done"]
    assert sandbox_containers(docker_backend) == []
    assert leftover_instances() == []


def test_it_leaves_no_container_or_trace_instance_behind(docker_backend):
    docker_backend.run(xdp_job())
    docker_backend.run(execve_job())

    assert sandbox_containers(docker_backend) == []
    assert leftover_instances() == []


def test_it_reaps_what_a_killed_worker_left_behind(docker_backend):
    client = docker_backend.client()
    image = docker_image.ensure_image(client)
    never_started = docker_backend._create(image, f"{INSTANCE_PREFIX}reap-{os.getpid()}")
    orphan = TRACEFS / "instances" / f"{INSTANCE_PREFIX}orphan-{os.getpid()}"
    orphan.mkdir()

    reap_stale(client, stale_after_s=0, force=True)

    assert never_started.name not in [c.name for c in sandbox_containers(docker_backend)]
    assert not orphan.exists()


def test_it_builds_the_image_once_per_content(docker_backend):
    client = docker_backend.client()
    files = docker_image.image_files()

    first = docker_image.ensure_image(client, files)
    image_id = client.images.get(first).id
    second = docker_image.ensure_image(client, files)

    assert first == second == f"bpflab-sandbox:{files.tag}"
    assert client.images.get(second).id == image_id
    changed = docker_image.ImageFiles(agent=files.agent + b"\0", busybox=files.busybox)
    assert changed.tag != files.tag


def test_it_says_why_when_no_daemon_answers(tmp_path):
    backend = DockerBackend(base_url=f"unix://{tmp_path}/no-docker.sock")

    ok, reason = backend.available()
    result = backend.run(Job(object=b"\x7fELF", ops=[{"op": "load", "id": "load"}]))

    assert not ok
    assert reason.startswith(f"no Docker daemon answers at unix://{tmp_path}/no-docker.sock")
    assert not result.ok
    assert result.error.startswith("docker backend: ")
    assert [e["event"] for e in result.events] == ["stage", "error", "done"]


def test_it_builds_the_image_from_the_command_line(docker_backend):
    repo = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "sandbox.docker_image", "build"]

    built = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=300)

    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == f"bpflab-sandbox:{docker_image.image_files().tag}"
