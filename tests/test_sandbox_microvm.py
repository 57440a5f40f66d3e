"""The microvm backend runs jobs in a fresh qemu microVM (TCG) per run, like the host does."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sandbox import image as vm_image
from sandbox import vmboot
from sandbox.backends import microvm
from sandbox.backends.local import LocalBackend
from sandbox.backends.microvm import MicroVMBackend
from sandbox.compile import compile_source
from sandbox.job import Job, Result, RunLimits
from sandbox.packets_hex import arp_frame, tcp_frame, udp_frame

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which(vm_image.QEMU) is None, reason="qemu is not installed"),
]

# Counts packets per action in an array map; drops UDP to 9999, bounces TCP (MACs swapped).
XDP_COUNTER = r"""
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} actions SEC(".maps");

static int count(__u32 action)
{
    __u64 *value = bpf_map_lookup_elem(&actions, &action);
    if (value)
        __sync_fetch_and_add(value, 1);
    return action;
}

SEC("xdp")
int classify(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    struct udphdr *udp = (void *)(ip + 1);
    unsigned char mac[ETH_ALEN];

    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return count(XDP_PASS);
    if (ip->protocol == IPPROTO_TCP) {
        __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
        __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
        __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
        return count(XDP_TX);
    }
    if ((void *)(udp + 1) <= end && ip->protocol == IPPROTO_UDP && udp->dest == bpf_htons(9999))
        return count(XDP_DROP);
    return count(XDP_PASS);
}
char LICENSE[] SEC("license") = "GPL";
"""

EXECVE_PRINTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(void *ctx)
{
    bpf_printk("execve seen by bpflab");
    return 0;
}
char LICENSE[] SEC("license") = "GPL";
"""

UNCHECKED_READ = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int peek(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[20] == 17 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""

PRINT_EACH_PACKET = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int talk(struct xdp_md *ctx)
{
    bpf_printk("packet of %d bytes", (int)(ctx->data_end - ctx->data));
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture(scope="module")
def image() -> vm_image.Image:
    """The image for the current agent and kernel: built when missing or stale, else cached."""
    return vm_image.build_image(log=lambda message: None)


def job(source: str, *ops: dict[str, Any], wall_s: float = 20, log_level: int = 1) -> Job:
    compiled = compile_source(source)
    assert compiled.ok and compiled.object, compiled.output
    load = {"op": "load", "id": "load", "log_level": log_level}
    return Job(object=compiled.object, ops=[load, *ops], limits=RunLimits(wall_s=wall_s))


def booting(result: Result) -> dict[str, Any]:
    first = result.events[0]
    assert first["event"] == "stage" and first["stage"] == "booting", first
    return first


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


SIGKILL_BIT = 1 << (signal.SIGKILL - 1)
PF_EXITING = 0x4  # include/linux/sched.h


def stopped(pid: int) -> bool:
    """Whether the process is gone, a zombie, exiting, or has a SIGKILL pending (it never
    returns to user space, so its guest runs no further): a run returns once its VM has
    its SIGKILL, the exit is reaped off the run's path."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        flags = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[6])
    except (FileNotFoundError, ProcessLookupError):  # gone, or going while /proc is read
        return True
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    pending = int(fields["ShdPnd"], 16) | int(fields["SigPnd"], 16)
    exiting = fields["State"].split()[0] in ("Z", "X") or bool(flags & PF_EXITING)
    return exiting or bool(pending & SIGKILL_BIT)


def leftovers() -> set[str]:
    """What a run could leave behind once its VM is reaped: qemu temp files, our open fds,
    our child processes."""
    vmboot.reap_all()
    temp = {f"tmp:{name}" for name in os.listdir(tempfile.gettempdir()) if "bpflab-qemu" in name}
    fds = {f"fd:{fd}" for fd in os.listdir("/proc/self/fd")}
    return temp | fds | {f"child:{pid}" for pid in children()}


def children() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found


def xdp_job() -> Job:
    frames = [udp_frame(9999), udp_frame(53), tcp_frame(80), arp_frame(), udp_frame(9999)]
    runs = [{"op": "test_run", "id": f"p{i}", "data": f.hex()} for i, f in enumerate(frames)]
    return job(XDP_COUNTER, *runs, {"op": "map_dump", "id": "dump", "map": "actions"})


def outcome(result: Result) -> dict[str, Any]:
    """What the learner's program did, without timings."""
    assert result.ok, result.error
    runs = {e["id"]: (e["retval"], e["data_out"]) for e in result.of_kind("test_run")}
    dump = result.by_id("dump")
    assert dump is not None
    return {"runs": runs, "entries": dump["entries"], "map": (dump["type"], dump["key_size"])}


def test_it_gives_the_same_xdp_results_as_the_local_backend(image: vm_image.Image) -> None:
    seen: list[dict[str, Any]] = []

    in_vm = MicroVMBackend().run(xdp_job(), on_event=seen.append)
    on_host = LocalBackend().run(xdp_job())

    assert outcome(in_vm) == outcome(on_host)
    assert outcome(in_vm)["runs"]["p0"][0] == 1 and outcome(in_vm)["runs"]["p2"][0] == 3
    assert seen == in_vm.events and [e["event"] for e in seen[-1:]] == ["done"]
    assert all(isinstance(e["t"], float) for e in seen)


def test_it_restores_every_warm_run_into_a_new_qemu(image: vm_image.Image) -> None:
    results = [MicroVMBackend("warm").run(xdp_job()) for _ in range(2)]

    starts = [booting(result) for result in results]
    assert [start["boot"] for start in starts] == ["snapshot", "snapshot"]
    assert starts[0]["vm_pid"] != starts[1]["vm_pid"]
    assert all(stopped(start["vm_pid"]) for start in starts)
    # each VM starts from the snapshot, not from the previous run's map
    assert outcome(results[0]) == outcome(results[1])


def test_it_gives_concurrent_runs_their_own_vms(image: vm_image.Image) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: MicroVMBackend().run(xdp_job()), range(2)))

    assert [outcome(result) for result in results] == [outcome(results[0])] * 2
    assert booting(results[0])["vm_pid"] != booting(results[1])["vm_pid"]


def test_it_hands_each_pooled_vm_to_one_run_only(image: vm_image.Image) -> None:
    before = leftovers()
    try:
        first = MicroVMBackend(pool_size=1).run(xdp_job())
        assert microvm.warm_pool(image, 1).wait_filled(timeout_s=20)
        second = MicroVMBackend(pool_size=1).run(xdp_job())
        assert microvm.warm_pool(image, 1).wait_filled(timeout_s=20)
        third = MicroVMBackend(pool_size=1).run(xdp_job())
    finally:
        microvm.close_pool()

    starts = [booting(result) for result in (first, second, third)]
    assert [start["pooled"] for start in starts[1:]] == [True, True]
    assert len({start["vm_pid"] for start in starts}) == 3
    assert outcome(first) == outcome(second) == outcome(third)
    assert leftovers() == before  # the VM the pool had restored for a fourth run is gone


def qemu_children() -> list[int]:
    """Our qemu processes still running (not killed runs' VMs waiting for the reaper)."""
    found = []
    for pid in children():
        with contextlib.suppress(FileNotFoundError):
            if "qemu" in Path(f"/proc/{pid}/comm").read_text() and not stopped(pid):
                found.append(pid)
    return found


def test_it_restores_the_pools_next_vm_once_the_run_is_over(
    image: vm_image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the refill (restore + warm-up, ~0.3 s of CPU) must not compete with the run; a run
    # longer than REFILL_DEFER_S no longer holds it back (a busy host makes runs slow)
    monkeypatch.setattr(microvm, "REFILL_DEFER_S", 60.0)
    during: list[int] = []

    def on_event(event: dict[str, Any]) -> None:
        if event["event"] == "stage" and event["stage"] == "running":
            during.append(len(qemu_children()))

    try:
        result = MicroVMBackend(pool_size=1).run(xdp_job(), on_event=on_event)
        assert microvm.warm_pool(image, 1).wait_filled(timeout_s=30)
    finally:
        microvm.close_pool()

    assert outcome(result) == outcome(LocalBackend().run(xdp_job()))
    assert during == [1]  # the run's own VM only


def test_it_shows_a_run_none_of_the_vms_warm_up(image: vm_image.Image) -> None:
    # the agent served a warm-up job before the snapshot, and again in a pooled VM: its
    # program printed, counted in maps of its own and was test-run in XDP and tc
    printing = job(PRINT_EACH_PACKET, {"op": "test_run", "id": "run", "data": udp_frame(7).hex()})
    try:
        MicroVMBackend(pool_size=1).run(xdp_job())
        assert microvm.warm_pool(image, 1).wait_filled(timeout_s=30)
        pooled = MicroVMBackend(pool_size=1).run(printing)
    finally:
        microvm.close_pool()
    restored = MicroVMBackend().run(printing)

    for result in (pooled, restored):
        assert result.ok, result.error
        assert [line["message"] for line in result.trace_lines()] == ["packet of 58 bytes"]
        assert [program["name"] for program in result.by_id("load")["programs"]] == ["talk"]  # type: ignore[index]
    assert booting(pooled)["pooled"] is True


def test_it_boots_from_scratch_in_cold_mode(image: vm_image.Image) -> None:
    result = MicroVMBackend("cold").run(xdp_job())

    assert booting(result)["boot"] == "cold"
    assert outcome(result) == outcome(LocalBackend().run(xdp_job()))


def test_it_shows_the_trace_line_of_a_tracepoint_program(image: vm_image.Image) -> None:
    result = MicroVMBackend().run(
        job(
            EXECVE_PRINTER,
            {"op": "attach", "id": "attach"},
            {"op": "trigger", "id": "exec", "argv": ["/bin/true"]},
            {"op": "trace", "id": "trace", "wait_ms": 200},
        )
    )

    assert result.ok, result.error
    assert result.by_id("attach")["ok"] is True  # type: ignore[index]
    assert result.by_id("exec")["exit_code"] == 0  # type: ignore[index]
    messages = [line["message"] for line in result.trace_lines()]
    assert "execve seen by bpflab" in messages


def test_it_runs_a_ping_trigger_on_the_guests_loopback(image: vm_image.Image) -> None:
    # /bin/ping in the initramfs is busybox's; the guest's loopback must be up for it.
    ping = ["/bin/ping", "-c", "1", "-W", "2", "127.0.0.1"]

    result = MicroVMBackend().run(job(XDP_COUNTER, {"op": "trigger", "id": "ping", "argv": ping}))

    assert result.ok, result.error
    assert result.by_id("ping")["exit_code"] == 0, result.by_id("ping")  # type: ignore[index]


def test_it_returns_a_verifier_rejection_with_its_log(image: vm_image.Image) -> None:
    result = MicroVMBackend().run(
        job(UNCHECKED_READ, {"op": "test_run", "id": "run", "data": udp_frame(1).hex()})
    )

    assert result.ok and result.error is None  # the learner's failure, not the sandbox's
    load = result.by_id("load")
    assert load and load["ok"] is False
    assert "invalid access to packet" in load["verifier_log"]
    assert result.by_id("run") is None and result.events[-1]["event"] == "done"


def test_it_streams_a_thousand_trace_lines_intact(image: vm_image.Image) -> None:
    flood = {"op": "test_run", "id": "flood", "data": udp_frame(7).hex(), "repeat": 1000}

    result = MicroVMBackend().run(job(PRINT_EACH_PACKET, flood, {"op": "trace", "id": "tail"}))

    assert result.ok, result.error
    lines = result.trace_lines()
    assert len(lines) == 1000
    assert {line["message"] for line in lines} == {f"packet of {len(udp_frame(7))} bytes"}


def test_it_kills_a_vm_whose_job_never_ends_at_the_wall_limit(image: vm_image.Image) -> None:
    before = leftovers()
    started = time.monotonic()
    sleeper = {"op": "trigger", "id": "sleep", "argv": ["/bin/sleep", "30"], "timeout_ms": 60000}

    result = MicroVMBackend().run(job(XDP_COUNTER, sleeper, wall_s=3))

    assert 3 <= time.monotonic() - started < 6
    assert not result.ok and result.time_limit is not None
    assert result.time_limit == {"op": "trigger", "id": "sleep", "limit_s": 3, "what": "wall"}
    assert [e["event"] for e in result.events[-2:]] == ["time_limit", "done"]
    assert stopped(booting(result)["vm_pid"])
    assert leftovers() == before


def test_it_keeps_a_chatty_console_from_stalling_the_guest(image: vm_image.Image) -> None:
    # Every kernel message on ttyS0 (tens of KB): qemu writes them a byte at a time, so a
    # host that left the console unread would stall the boot at the first few hundred.
    chatty = dataclasses.replace(
        image,
        manifest={**image.manifest, "cmdline": image.cmdline.replace("quiet loglevel=1", "")},
    )

    result = MicroVMBackend("cold", image=chatty).run(xdp_job())

    assert "loglevel" not in chatty.cmdline
    assert outcome(result) == outcome(MicroVMBackend().run(xdp_job()))


def test_it_kills_a_vm_that_never_boots_at_the_wall_limit(image: vm_image.Image) -> None:
    # The kernel starts /bin/cat as its init: it reads the console forever, no agent ever.
    broken = dataclasses.replace(
        image, manifest={**image.manifest, "cmdline": image.cmdline + " rdinit=/bin/cat"}
    )
    before = leftovers()

    result = MicroVMBackend("cold", image=broken).run(job(XDP_COUNTER, wall_s=3))

    # a boot that hangs is the platform's fault, not a time limit of the learner's program
    assert not result.ok and "wall limit" in (result.error or "") and result.time_limit is None
    assert [e["event"] for e in result.events[-2:]] == ["error", "done"]
    assert stopped(booting(result)["vm_pid"])
    assert leftovers() == before


SLEEPING_RUN = """
import json, sys
from sandbox.backends.microvm import MicroVMBackend
from tests.test_sandbox_microvm import XDP_COUNTER, job
sleeper = {"op": "trigger", "id": "s", "argv": ["/bin/sleep", "30"], "timeout_ms": 60000}
def show(event):
    print(json.dumps(event), flush=True)
MicroVMBackend().run(job(XDP_COUNTER, sleeper), on_event=show)
"""


def test_it_takes_the_vm_down_with_a_killed_worker(image: vm_image.Image) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", SLEEPING_RUN],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert worker.stdout is not None
    vm_pid = None
    for line in worker.stdout:  # wait until the job runs in the VM
        event = json.loads(line)
        vm_pid = event.get("vm_pid", vm_pid)
        if event["event"] == "stage" and event["stage"] == "running":
            break
    assert vm_pid and alive(vm_pid)

    worker.kill()  # SIGKILL: no finally, no atexit
    worker.wait()

    deadline = time.monotonic() + 3
    while alive(vm_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(vm_pid)


def test_it_interrupts_the_warm_up_of_a_vm_restored_during_the_compile(
    image: vm_image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the VM starts its warm-up job while the program compiles; the job cuts it short (here
    # at once: the program is compiled first, so the job follows the warm-up line closely)
    monkeypatch.setattr(microvm, "WARM_PREPARED", True)
    backend = MicroVMBackend()
    printing = job(PRINT_EACH_PACKET, {"op": "test_run", "id": "run", "data": udp_frame(7).hex()})

    backend.prepare()
    result = backend.run(printing)

    assert result.ok, result.error
    assert booting(result)["pooled"] is True
    assert [line["message"] for line in result.trace_lines()] == ["packet of 58 bytes"]
    assert outcome_of_counter(backend) == outcome(MicroVMBackend().run(xdp_job()))


def outcome_of_counter(backend: MicroVMBackend) -> dict[str, Any]:
    counter = xdp_job()
    backend.prepare()
    return outcome(backend.run(counter))


PREPARING_WORKER = """
import time
from sandbox.backends.microvm import MicroVMBackend
backend = MicroVMBackend()
backend.prepare()  # the VM restores in the background, as while a program compiles
prepared = backend._prepared[0]
prepared.thread.join()
print(prepared.machine.pid, flush=True)
time.sleep(60)
"""


def test_it_takes_a_vm_restored_ahead_down_with_a_killed_worker(image: vm_image.Image) -> None:
    # started by the process's launcher thread, not by the thread that asked for it
    worker = subprocess.Popen(
        [sys.executable, "-c", PREPARING_WORKER],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert worker.stdout is not None
    vm_pid = int(worker.stdout.readline())
    assert alive(vm_pid)

    worker.kill()
    worker.wait()

    deadline = time.monotonic() + 3
    while alive(vm_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(vm_pid)


def test_it_leaves_nothing_behind_after_a_run(image: vm_image.Image) -> None:
    before = leftovers()

    result = MicroVMBackend().run(xdp_job())

    assert result.ok, result.error
    assert stopped(booting(result)["vm_pid"])
    assert leftovers() == before


def test_it_says_why_it_cannot_run_without_an_image(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vm_image, "IMAGE_ROOT", tmp_path)  # an empty image folder

    available, reason = MicroVMBackend().available()
    result = MicroVMBackend().run(xdp_job())

    assert not available and "image build" in reason
    assert not result.ok and "image build" in (result.error or "")
    assert [e["event"] for e in result.events] == ["stage", "error", "done"]
