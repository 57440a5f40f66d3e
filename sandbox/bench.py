"""Benchmark: submit -> verdict for one typical XDP lab, per backend, against a bare baseline.

The lab: drop UDP to port 9999 and count packets; the job is compile + load + 4 test runs
(UDP 9999, UDP 53, TCP 9999, ARP) + a map dump.

- baseline: the same file with no platform code: `clang` + `bpftool prog loadall` +
  4 x `bpftool prog run` + `bpftool map dump` (+ unpinning).
- local: `compile_source` (the jail) + the local backend, as the grader runs them
  (labs/grading/grade.py): llvm-objdump starts in its own jail while clang runs, gets
  the object through a FIFO, and its text is waited for, as the verdict comes after the
  disassembly event (phase `disassembly_wait`: what is left after the run). The run
  returns at the agent's `done`; its teardown (trace instance removal, ~40 ms of RCU)
  goes on in the background, overlapping the next iteration as it would the next
  submission. No compile result is reused across runs.
- microvm cold/warm: `compile_source` + `MicroVMBackend(mode="cold" | "warm")` (or the
  constructor options in `sandbox.backends.microvm.BENCH_MODES`, {"cold": {...}, "warm":
  {...}}, if it defines them); a backend that is not available is reported as null with
  the reason. As the grader does, the VM starts restoring (`prepare()`) before the
  compile, so the restore overlaps it.
- microvm warm, per kernel: the same on each kernel whose image is built
  (`microvm_warm_by_kernel`: {"6.1": {"p50_s", "p95_s", "ratio"}, ...}).
- microvm pool: the default kernel with a pool of restored, paused VMs
  (`MicroVMBackend(pool_size=POOL_SIZE)`, BPFLAB_MICROVM_POOL on a site): a run only
  resumes one (`microvm_pool_p50_s`, target <= POOL_TARGET_RATIO x baseline).

`python -m sandbox bench --json` prints a table, then the JSON object as the last line.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.job import Job
from sandbox.packets_hex import arp_frame, tcp_frame, udp_frame

MIN_RUNS = 10
LOCAL_TARGET_RATIO = 1.3
WARM_TARGET_S = 0.10
# The warm goal was set where the bare baseline took this long (0.18 s was 3.7 x bare):
# the same goal as a ratio, for machines slower or faster than that one.
WARM_GOAL_BASELINE_S = 0.049
WARM_TARGET_RATIO = round(WARM_TARGET_S / WARM_GOAL_BASELINE_S, 2)
POOL_TARGET_RATIO = 1.5
POOL_SIZE = 2
BPFFS = Path("/sys/fs/bpf")

LAB_SOURCE = r"""
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} pkt_count SEC(".maps");

static void count(__u32 slot)
{
    __u64 *value = bpf_map_lookup_elem(&pkt_count, &slot);
    if (value)
        __sync_fetch_and_add(value, 1);
}

SEC("xdp")
int drop_udp_9999(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    struct udphdr *udp = (void *)(ip + 1);

    if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
        ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(9999)) {
        count(0);
        return XDP_PASS;
    }
    count(1);
    bpf_printk("drop udp to %d", 9999);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
"""

PACKETS = {
    "udp-9999": udp_frame(9999),
    "udp-53": udp_frame(53),
    "tcp-9999": tcp_frame(9999),
    "arp": arp_frame(),
}


def lab_ops() -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = [{"op": "load", "id": "load"}]
    for name, frame in PACKETS.items():
        ops.append({"op": "test_run", "id": name, "data": frame.hex(), "repeat": 1})
    ops.append({"op": "map_dump", "id": "counts", "map": "pkt_count"})
    return ops


def percentile(samples: list[float], q: float) -> float:
    """The sample at fraction q (0-1) of the sorted samples, nearest rank."""
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _timed(step: Callable[[], None]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


def baseline_once(workdir: Path) -> None:
    """Bare tools only: what the platform's overhead is measured against."""
    source, obj = workdir / "prog.c", workdir / "prog.o"
    source.write_text(LAB_SOURCE)
    pins = BPFFS / f"bpflab-bench-{uuid.uuid4().hex[:8]}"
    _run(
        ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
        + ["-c", str(source), "-o", str(obj)]
    )
    pins.mkdir()
    try:
        _run(["bpftool", "prog", "loadall", str(obj), str(pins / "p"), "pinmaps", str(pins / "m")])
        for name, frame in PACKETS.items():
            data_in = workdir / f"{name}.in"
            data_in.write_bytes(frame)
            _run(
                ["bpftool", "prog", "run", "pinned", str(pins / "p" / "drop_udp_9999")]
                + ["data_in", str(data_in), "data_out", str(workdir / f"{name}.out")]
                + ["repeat", "1"]
            )
        _run(["bpftool", "-j", "map", "dump", "pinned", str(pins / "m" / "pkt_count")])
    finally:
        shutil.rmtree(pins, ignore_errors=True)


PHASES: dict[str, dict[str, list[float]]] = {}
FAILURES: dict[str, int] = {}


def platform_once(backend: Any) -> None:
    """compile_source + backend.run, as the grader runs a submission: clang (llvm-objdump
    starting alongside), then the run while objdump disassembles, then the wait for its
    text, as the verdict waits for it."""
    from sandbox.compile import compile_source

    started = time.perf_counter()
    prepare = getattr(backend, "prepare", None)
    if prepare is not None:  # as the grader does: the VM restores while clang runs
        prepare()
    compiled = compile_source(LAB_SOURCE, disassemble="later")
    compiled_at = time.perf_counter()
    if not compiled.ok or compiled.object is None or compiled.pending_disassembly is None:
        raise RuntimeError(f"the lab did not compile: {compiled.error or compiled.output}")
    result = backend.run(Job(object=compiled.object, ops=lab_ops()))
    ran_at = time.perf_counter()
    listing = compiled.pending_disassembly.result(60)
    if not result.ok:
        raise RuntimeError(f"the {backend.name} run failed: {result.error}")
    drop = result.by_id("udp-9999")
    if not drop or drop.get("retval") != 1:
        raise RuntimeError(f"the lab did not drop UDP 9999: {drop}")
    if "drop_udp_9999" not in listing:
        raise RuntimeError("the disassembly is missing")
    label = getattr(backend, "bench_label", None) or backend.name
    phases = PHASES.setdefault(label, {"compile": [], "run": [], "disassembly_wait": []})
    phases["compile"].append(compiled_at - started)
    phases["run"].append(ran_at - compiled_at)
    phases["disassembly_wait"].append(time.perf_counter() - ran_at)


def _measure(
    steps: dict[str, Callable[[], None]], runs: int, reasons: dict[str, str]
) -> dict[str, list[float]]:
    """Times every step `runs` times, round-robin, so a machine whose load drifts during
    the benchmark skews all measures alike rather than whichever ran last. A step that
    fails is dropped, its error noted in reasons."""
    samples: dict[str, list[float]] = {}
    for name, step in steps.items():
        try:
            step()  # warm-up: caches, the agent build, the VM image
            samples[name] = []
        except Exception as exc:  # report it: one broken backend must not hide the rest
            reasons[name] = f"failed: {exc}"
    for _ in range(runs):
        for name in list(samples):
            try:
                samples[name].append(_timed(steps[name]))
            except Exception as exc:  # e.g. a VM boot that hung: count it, keep going
                FAILURES[name] = FAILURES.get(name, 0) + 1
                reasons[name] = f"{FAILURES[name]} run(s) failed, last: {exc}"
    return {name: values for name, values in samples.items() if values}


def _microvm_backends() -> tuple[dict[str, Any], dict[str, str]]:
    """The microvm backend per bench mode, or the reason a mode cannot be measured."""
    modes = ("cold", "warm")
    if importlib.util.find_spec("sandbox.backends.microvm") is None:
        return {}, {m: "sandbox.backends.microvm does not exist" for m in modes}
    module = importlib.import_module("sandbox.backends.microvm")
    # MicroVMBackend(mode="cold" | "warm"), unless the module says otherwise
    options = getattr(module, "BENCH_MODES", {mode: {"mode": mode} for mode in modes})
    backends, reasons = {}, {}
    for mode in modes:
        if mode not in options:
            reasons[mode] = f"BENCH_MODES has no {mode!r} mode"
            continue
        backend = module.MicroVMBackend(**options[mode])
        ok, why = backend.available()
        if ok:
            backends[mode] = backend
        else:
            reasons[mode] = why
    if "warm" in backends:
        backends["pool"] = module.MicroVMBackend(mode="warm", pool_size=POOL_SIZE)
        from sandbox.image import built_kernels

        for kernel in built_kernels():
            backends[f"warm_{kernel}"] = module.MicroVMBackend(mode="warm", kernel=kernel)
    for mode, backend in backends.items():
        backend.bench_label = f"microvm_{mode}"
    return backends, reasons


def run_bench(
    runs: int = MIN_RUNS, backends: tuple[str, ...] = ("local", "microvm")
) -> dict[str, Any]:
    from sandbox.backends.local import LocalBackend

    runs = max(MIN_RUNS, runs)
    reasons: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bpflab-bench-") as tmp:
        steps: dict[str, Callable[[], None]] = {
            "baseline": functools.partial(baseline_once, Path(tmp))
        }
        if "local" in backends:
            local = LocalBackend()
            ok, why = local.available()
            if ok:
                steps["local"] = functools.partial(platform_once, local)
            else:
                reasons["local"] = why
        if "microvm" in backends:
            vms, vm_reasons = _microvm_backends()
            for mode, backend in vms.items():
                steps[f"microvm_{mode}"] = functools.partial(platform_once, backend)
            reasons.update({f"microvm_{mode}": why for mode, why in vm_reasons.items()})
        if "microvm" not in backends:
            reasons.update(dict.fromkeys(MEASURES[2:], "not requested"))
        PHASES.clear()
        FAILURES.clear()
        try:
            samples = _measure(steps, runs, reasons)
        finally:
            if "microvm" in backends and importlib.util.find_spec("sandbox.backends.microvm"):
                importlib.import_module("sandbox.backends.microvm").close_pool()
    return _summary(samples, reasons, runs)


MEASURES = ("baseline", "local", "microvm_cold", "microvm_warm", "microvm_pool")


def _summary(samples: dict[str, list[float]], reasons: dict[str, str], runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": runs,
        "lab": "xdp drop udp 9999: compile + load + 4 test runs + map dump",
    }
    for name in MEASURES:
        values = samples.get(name)
        out[f"{name}_p50_s"] = round(statistics.median(values), 4) if values else None
        out[f"{name}_p95_s"] = round(percentile(values, 0.95), 4) if values else None
    base = out["baseline_p50_s"]
    for name in MEASURES[1:]:
        p50 = out[f"{name}_p50_s"]
        out[f"{name}_ratio"] = round(p50 / base, 3) if p50 and base else None
    out["local_target_ratio"] = LOCAL_TARGET_RATIO
    out["local_meets_target"] = (
        out["local_ratio"] <= LOCAL_TARGET_RATIO if out["local_ratio"] is not None else None
    )
    out["microvm_warm_target_s"] = WARM_TARGET_S
    warm = out["microvm_warm_p50_s"]
    out["microvm_warm_meets_target"] = warm <= WARM_TARGET_S if warm is not None else None
    out["microvm_warm_target_ratio"] = WARM_TARGET_RATIO
    warm_ratio = out["microvm_warm_ratio"]
    out["microvm_warm_meets_target_ratio"] = (
        warm_ratio <= WARM_TARGET_RATIO if warm_ratio is not None else None
    )
    out["microvm_pool_target_ratio"] = POOL_TARGET_RATIO
    pool = out["microvm_pool_ratio"]
    out["microvm_pool_meets_target"] = pool <= POOL_TARGET_RATIO if pool is not None else None
    out["microvm_warm_by_kernel"] = {
        name.removeprefix("microvm_warm_"): {
            "p50_s": round(statistics.median(values), 4),
            "p95_s": round(percentile(values, 0.95), 4),
            "ratio": round(statistics.median(values) / base, 3) if base else None,
        }
        for name, values in samples.items()
        if name.startswith("microvm_warm_")
    }
    out["skipped"] = reasons  # measures not taken, or runs that failed, and why
    out["failures"] = dict(FAILURES)
    # where a platform run's time goes (the warm-up run included)
    out["phases_p50_s"] = {
        name: {phase: round(statistics.median(v), 4) for phase, v in phases.items() if v}
        for name, phases in PHASES.items()
    }
    return out


def format_table(summary: dict[str, Any]) -> str:
    lines = [f"{'measure':<14} {'p50 s':>8} {'p95 s':>8} {'x baseline':>11}  note"]
    for name in MEASURES:
        p50, p95 = summary[f"{name}_p50_s"], summary[f"{name}_p95_s"]
        ratio = summary.get(f"{name}_ratio")
        note = summary["skipped"].get(name, "")
        lines.append(
            f"{name:<14} {_fmt(p50):>8} {_fmt(p95):>8} {_fmt(ratio) if name != 'baseline' else '1':>11}  {note}"
        )
    for kernel, figures in summary["microvm_warm_by_kernel"].items():
        lines.append(
            f"{'  warm ' + kernel:<14} {_fmt(figures['p50_s']):>8} {_fmt(figures['p95_s']):>8}"
            f" {_fmt(figures['ratio']):>11}"
        )
    lines.append(
        f"runs per measure: {summary['runs']}; local target <= {LOCAL_TARGET_RATIO} x baseline,"
        f" microvm warm <= {WARM_TARGET_S} s (set at a {WARM_GOAL_BASELINE_S} s baseline:"
        f" {WARM_TARGET_RATIO} x), pool <= {POOL_TARGET_RATIO} x baseline"
    )
    for name, phases in summary["phases_p50_s"].items():
        split = ", ".join(f"{phase} {seconds:.3f} s" for phase, seconds in phases.items())
        lines.append(f"  {name}: p50 {split}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main(runs: int = MIN_RUNS, as_json: bool = False, backends: str = "local,microvm") -> int:
    summary = run_bench(runs, tuple(b.strip() for b in backends.split(",") if b.strip()))
    print(format_table(summary), flush=True)
    if as_json:
        print(json.dumps(summary), flush=True)
    return 0
