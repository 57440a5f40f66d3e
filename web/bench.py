"""Site benchmarks behind `make bench`, each reported against a baseline measured in the same run.

- lesson page: requests/s and p99 of a lab page (lesson + editor) under `wrk`, against a
  static file served by the same server process (the floor of the stack).
- trace line -> websocket: for each `trace` event of a real run (real worker, real Redis,
  real ASGI server), the time from the worker storing it to a websocket client receiving it,
  against a bare channel-layer message sent to the same socket (no worker, no database).
- submit -> stored verdict, end to end: `labs.submissions.submit` of a lab's reference
  solution until its verdict is in the database (real Redis, a real worker, the local
  backend), against bare clang + bpftool doing the same job on the same file (load, each
  test-run on the same packets, each map dump), in the same run.
- worker memory: the RSS of a process that grades N runs through `labs.runner.execute_run`,
  after a warm-up against after the last run.
- differential phase: a typical lab's reference graded with and without its generated
  traffic (labs/grading/differential.py), per backend: the time the phase adds to a run.

The command runs against its own database (see `make bench`), never the site's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from sandbox.bench import percentile
from web import services

LESSON_TARGET_RPS = 300
LESSON_TARGET_P99_MS = 100
TRACE_TARGET_P50_MS = 100
RSS_TARGET_GROWTH = 1.10
BENCH_LAB = "hello-printk"
PARTS = ("lesson_page", "trace_to_websocket", "end_to_end", "differential_phase", "worker_memory")


# --- lesson page -------------------------------------------------------------------------


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses under load")
    return {"rps": round(rps, 1), "p99_ms": round(p99, 2)}


def _wrk_ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def bench_lesson_page(base_url: str, seconds: int) -> dict[str, Any]:
    if not shutil.which("wrk"):
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    # Warm up first: worker processes still importing Django, templates not yet compiled.
    wrk(f"{base_url}/labs/{BENCH_LAB}/", 3, 4)
    lesson = wrk(f"{base_url}/labs/{BENCH_LAB}/", seconds, 16)
    static = wrk(f"{base_url}/static/css/bpflab.css", seconds, 16)
    return {
        "lesson_rps": lesson["rps"],
        "lesson_p99_ms": lesson["p99_ms"],
        "baseline_static_rps": static["rps"],
        "baseline_static_p99_ms": static["p99_ms"],
        "lesson_ratio": round(lesson["rps"] / static["rps"], 3),
        "target_rps": LESSON_TARGET_RPS,
        "target_p99_ms": LESSON_TARGET_P99_MS,
        "met": lesson["rps"] >= LESSON_TARGET_RPS and lesson["p99_ms"] <= LESSON_TARGET_P99_MS,
    }


# --- trace line -> websocket -------------------------------------------------------------


def bench_user() -> Any:
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=f"bench-{uuid.uuid4().hex[:8]}")
    return user


def session_cookie(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def receive_run(ws_url: str, cookie: str, origin: str, start) -> list[tuple[float, dict]]:  # type: ignore[no-untyped-def]
    """Every event of a run's websocket up to `finished`, each with the time it arrived; the
    socket is open before `start` (which enqueues the run) is called, so all arrive live."""
    import websockets

    headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
    received: list[tuple[float, dict]] = []
    async with websockets.connect(ws_url, additional_headers=headers) as socket:
        await asyncio.to_thread(start)
        while not received or received[-1][1].get("event") != "finished":
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
            received.append((time.time(), message))
    return received


async def _receive_bare(
    ws_url: str, cookie: str, origin: str, token: str, count: int
) -> list[float]:
    import websockets
    from channels.layers import get_channel_layer

    from labs.events import RUN_EVENT_MESSAGE, run_group

    layer = get_channel_layer()
    delays = []
    headers = {"Cookie": f"sessionid={cookie}", "Origin": origin}
    async with websockets.connect(ws_url, additional_headers=headers) as socket:
        await asyncio.sleep(0.2)
        for seq in range(10_000, 10_000 + count):
            sent = time.time()
            message = {"type": RUN_EVENT_MESSAGE, "seq": seq, "event": {"event": "ping"}}
            await layer.group_send(run_group(token), message)
            await asyncio.wait_for(socket.recv(), timeout=10)
            delays.append((time.time() - sent) * 1000)
    return delays


def bench_trace_latency(http_url: str, ws_url: str, runs: int) -> dict[str, Any]:
    from labs.models import Lab, Run, RunEvent, Submission
    from labs.tasks import run_submission

    lab = Lab.objects.get(slug=BENCH_LAB)
    user = bench_user()
    cookie = session_cookie(user)
    delays: list[float] = []
    for _ in range(runs):
        submission = Submission.objects.create(user=user, lab=lab, source=lab.solution)
        run = Run.objects.create(submission=submission, backend=settings.SANDBOX_BACKEND)
        url = f"{ws_url}/ws/runs/{run.token}/"
        # The socket is open before the run is enqueued, so every event arrives live.
        received = asyncio.run(
            receive_run(url, cookie, http_url, lambda run=run: run_submission.delay(run.pk))
        )
        stored = dict(
            RunEvent.objects.filter(run=run, kind="trace").values_list("seq", "created_at")
        )
        for arrived, message in received:
            if message.get("event") == "trace" and message["seq"] in stored:
                delays.append((arrived - stored[message["seq"]].timestamp()) * 1000)
    if not delays:
        return {"skipped": "no trace line reached the websocket"}
    bare = asyncio.run(
        _receive_bare_on_new_run(ws_url, http_url, cookie, user, lab, count=max(20, len(delays)))
    )
    p50, bare_p50 = statistics.median(delays), statistics.median(bare)
    return {
        "trace_p50_ms": round(p50, 2),
        "trace_p95_ms": round(percentile(delays, 0.95), 2),
        "trace_lines": len(delays),
        "baseline_layer_p50_ms": round(bare_p50, 2),
        "trace_ratio": round(p50 / bare_p50, 2) if bare_p50 else None,
        "target_p50_ms": TRACE_TARGET_P50_MS,
        "met": p50 <= TRACE_TARGET_P50_MS,
    }


async def _receive_bare_on_new_run(ws_url, http_url, cookie, user, lab, count):  # type: ignore[no-untyped-def]
    from asgiref.sync import sync_to_async

    from labs.models import Run, Submission

    def make_run() -> Run:
        submission = Submission.objects.create(user=user, lab=lab, source="// bench")
        return Run.objects.create(submission=submission, backend="local", status=Run.DONE)

    run = await sync_to_async(make_run)()
    url = f"{ws_url}/ws/runs/{run.token}/"
    return await _receive_bare(url, cookie, http_url, run.token, count)


# --- submit -> stored verdict --------------------------------------------------------------

E2E_LAB = "map-array-counter"  # load + 4 test-runs + a map dump, the sandbox bench's shape
E2E_TARGET_RATIO = 1.5
# What the two sides do differently for the same job, so the ratio reads right.
BASELINE_NOTE = (
    "same compile, load, test-runs (same frames, same repeats) and map dump; the platform "
    "also asks a verbose verifier log, disassembles the object, runs the lab's generated "
    "frames through the program and its reference, and stores every event. Each bare "
    "`bpftool prog run ... repeat N` (N > 1) of an XDP program patches it into the kernel's "
    "XDP dispatcher and out again (two RCU grace periods); the platform's agent keeps it "
    "there for the run (docs/protocol.md, test_run)"
)
BPFFS = Path("/sys/fs/bpf")


def _tool(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def bare_tools_once(source: str, ops: list[dict[str, Any]], workdir: Path) -> dict[str, float]:
    """The job with no platform code: clang, bpftool loadall, one `bpftool prog run` per
    test-run (same packet, same repeat), one `bpftool map dump` per dump. Returns the
    seconds clang took ("compile") and the rest ("run")."""
    source_file, obj = workdir / "prog.c", workdir / "prog.o"
    source_file.write_text(source)
    started = time.perf_counter()
    _tool(
        ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
        + ["-c", str(source_file), "-o", str(obj)]
    )
    compiled = time.perf_counter()
    pins = BPFFS / f"bpflab-e2e-{uuid.uuid4().hex[:8]}"
    pins.mkdir()
    try:
        _tool(["bpftool", "prog", "loadall", str(obj), str(pins / "p"), "pinmaps", str(pins / "m")])
        program = next((pins / "p").iterdir())
        for index, op in enumerate(ops):
            if op["op"] == "test_run":
                packet = workdir / f"{index}.in"
                packet.write_bytes(bytes.fromhex(op["data"]))
                _tool(
                    ["bpftool", "prog", "run", "pinned", str(program), "data_in", str(packet)]
                    + ["data_out", str(workdir / f"{index}.out"), "repeat", str(op["repeat"])]
                )
            elif op["op"] == "map_dump":
                _tool(["bpftool", "-j", "map", "dump", "pinned", str(pins / "m" / op["map"])])
    finally:
        shutil.rmtree(pins, ignore_errors=True)
    return {"compile": compiled - started, "run": time.perf_counter() - compiled}


def submit_until_verdict(user: Any, lab: Any, timeout: float = 60) -> dict[str, float]:
    """One run from submit() to its verdict stored in the database, in phases (seconds):
    total; submit (the call itself); claimed (submit -> a worker took the run); grading
    (the grader itself: compile, sandbox, checks, the verdict's total_s); worker (the rest
    of the worker's time: from the claim to the verdict stored, grading aside); seen (the
    verdict stored -> this process saw it)."""
    from labs.models import Run
    from labs.submissions import submit

    wall_start, started = time.time(), time.perf_counter()
    run = submit(user, lab, lab.solution, backend="local")
    submitted = time.perf_counter() - started
    deadline = started + timeout
    while not Run.objects.filter(pk=run.pk, status__in=Run.FINISHED).exists():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"bench run {run.pk} did not finish in {timeout} s")
        time.sleep(0.002)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    if run.passed is not True:
        raise RuntimeError(f"bench run {run.pk} did not pass: {run.status} {run.error_words}")
    assert run.started_at is not None and run.finished_at is not None
    timings = run.verdict["timings"]
    grading = float(timings["total_s"])
    claimed = run.started_at.timestamp() - wall_start
    stored = run.finished_at.timestamp() - wall_start
    return {
        "total": elapsed,
        "submit": submitted,
        "claimed": claimed,
        "grading": grading,
        "compile": float(timings["compile_s"]),
        "worker": stored - claimed - grading,
        "seen": elapsed - stored,
    }


def bench_end_to_end(runs: int) -> dict[str, Any]:
    import tempfile

    from labs import curriculum
    from labs.grading.jobs import build_job
    from labs.models import Lab

    lab = Lab.objects.get(slug=E2E_LAB)
    ops = build_job(curriculum.get_lab(E2E_LAB))[0].ops
    user = bench_user()
    phases: list[dict[str, float]] = []
    bare: list[float] = []
    bare_compile: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bpflab-e2e-") as tmp:
        for index in range(runs + 2):  # two warm-ups: caches, the worker's first run
            started = time.perf_counter()
            tools = bare_tools_once(lab.solution, ops, Path(tmp))
            bare_s = time.perf_counter() - started
            platform = submit_until_verdict(user, lab)
            if index >= 2:
                bare.append(bare_s)
                bare_compile.append(tools["compile"])
                phases.append(platform)

    def p50(phase: str) -> float:
        return round(statistics.median(p[phase] for p in phases), 4)

    totals = [p["total"] for p in phases]
    p50_total, base = statistics.median(totals), statistics.median(bare)
    return {
        "lab": E2E_LAB,
        "runs": runs,
        "e2e_p50_s": round(p50_total, 4),
        "e2e_p95_s": round(percentile(totals, 0.95), 4),
        "e2e_baseline_p50_s": round(base, 4),
        "e2e_ratio": round(p50_total / base, 3),
        # the grader's own share (its generated-traffic phase included, which the baseline
        # does not do), and what is left: queue, worker, events, database
        "e2e_grading_p50_s": p50("grading"),
        "e2e_around_grading_p50_s": round(
            statistics.median(p["total"] - p["grading"] for p in phases), 4
        ),
        # where the rest goes, each phase's own median (see submit_until_verdict)
        "e2e_submit_p50_s": p50("submit"),
        "e2e_claimed_p50_s": p50("claimed"),
        "e2e_worker_p50_s": p50("worker"),
        "e2e_seen_p50_s": p50("seen"),
        # clang alone, bare and in the grader (its jail, the disassembler starting beside it)
        "e2e_compile_p50_s": p50("compile"),
        "e2e_baseline_compile_p50_s": round(statistics.median(bare_compile), 4),
        "e2e_baseline_note": BASELINE_NOTE,
        "load_average": round(os.getloadavg()[0], 2),
        "target_ratio": E2E_TARGET_RATIO,
        "met": p50_total / base <= E2E_TARGET_RATIO,
    }


# --- worker memory -------------------------------------------------------------------------


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench_worker_memory(runs: int, warmup: int) -> dict[str, Any]:
    from labs.models import Lab, Run, Submission
    from labs.runner import execute_run

    lab = Lab.objects.get(slug=BENCH_LAB)
    user = bench_user()
    samples: list[int] = []
    started = time.monotonic()
    for index in range(warmup + runs):
        submission = Submission.objects.create(user=user, lab=lab, source=lab.solution)
        run = Run.objects.create(submission=submission, backend="local")
        execute_run(run.pk)
        run.refresh_from_db()
        if run.passed is not True:
            raise RuntimeError(f"bench run {run.pk} did not pass: {run.status} {run.error_words}")
        if index + 1 >= warmup:
            samples.append(rss_kib())
    after_warmup, last = samples[0], samples[-1]
    growth = last / after_warmup
    return {
        "runs": runs,
        "rss_after_warmup_kib": after_warmup,
        "rss_after_runs_kib": last,
        "rss_max_kib": max(samples),
        "rss_growth_ratio": round(growth, 3),
        "seconds": round(time.monotonic() - started, 1),
        "target_growth": RSS_TARGET_GROWTH,
        "met": growth <= RSS_TARGET_GROWTH,
    }


# --- the differential phase: what generated traffic adds to a grading ----------------------

DIFFERENTIAL_LAB = "xdp-drop-udp-port"


def bench_differential(runs: int, backends: tuple[str, ...] = ("local", "microvm")) -> dict:
    """A typical lab's reference graded with and without its differential phase (its
    generated frames through the program and the reference in the same job), per
    backend, round-robin so load drifts skew both alike: the time the phase adds."""
    from sandbox.backends import get_backend

    result: dict[str, Any] = {"lab": DIFFERENTIAL_LAB, "runs": runs}
    for backend in backends:
        ok, why = get_backend(backend).available()
        result[backend] = _differential_on(backend, runs) if ok else {"skipped": why}
    return result


def _differential_on(backend: str, runs: int) -> dict[str, Any]:
    import dataclasses

    from labs.grading import grade
    from labs.spec import load_lab_by_slug

    lab = load_lab_by_slug(settings.CONTENT_DIR, DIFFERENTIAL_LAB)
    plain = dataclasses.replace(lab, traffic=None)
    samples: dict[str, list[float]] = {"with": [], "without": []}
    for spec in (lab, plain):
        grade(spec, lab.solution, backend=backend)  # warm-up: the reference's compile
    for _ in range(runs):
        for spec, name in ((lab, "with"), (plain, "without")):
            started = time.perf_counter()
            verdict = grade(spec, lab.solution, backend=backend)
            samples[name].append(time.perf_counter() - started)
            if not verdict.passed:
                raise RuntimeError(f"the reference of {lab.slug} did not pass: {verdict.summary}")
    with_p50, without_p50 = (statistics.median(samples[k]) for k in ("with", "without"))
    return {
        "frames": lab.traffic.frames if lab.traffic else 0,
        "with_p50_s": round(with_p50, 4),
        "without_p50_s": round(without_p50, 4),
        "added_p50_s": round(with_p50 - without_p50, 4),
        "ratio": round(with_p50 / without_p50, 3),
    }


# --- the whole set -------------------------------------------------------------------------


def run_all(
    seconds: int,
    trace_runs: int,
    memory_runs: int,
    log_dir: Path,
    differential_runs: int = 15,
    e2e_runs: int = 20,
    only: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Starts a worker and a web server on the bench database, measures, stops them.
    `only`: the parts to measure (names of the result's keys; empty: all of them)."""

    def wanted(part: str) -> bool:
        return not only or part in only

    port = services.free_port()
    # Same key as this process: the sessions it makes must be valid there.
    env = {"DEBUG": "false", "SECRET_KEY": settings.SECRET_KEY, "SECURE_COOKIES": "false"}
    env["ALLOW_LOCAL_BACKEND"] = "true"  # the bench's own runs, on this machine
    env["DATABASE_URL"] = services.database_url()
    worker = services.start_process(
        services.celery_command(concurrency=1, hostname=f"bench-{uuid.uuid4().hex[:6]}@%h"),
        log_dir / "bench-celery.log",
        env,
    )
    web = services.start_process(
        services.web_command(port=port, workers=2), log_dir / "bench-web.log", env
    )
    try:
        if not services.wait_until(lambda: services.is_listening("127.0.0.1", port), 30):
            raise RuntimeError(f"the web server did not start; see {log_dir}/bench-web.log")
        http_url, ws_url = f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}"
        result: dict[str, Any] = {}
        if wanted("lesson_page"):
            result["lesson_page"] = bench_lesson_page(http_url, seconds)
        if wanted("trace_to_websocket"):
            result["trace_to_websocket"] = bench_trace_latency(http_url, ws_url, trace_runs)
        if wanted("end_to_end"):
            result["end_to_end"] = bench_end_to_end(e2e_runs)
    finally:
        services.stop_process(web)
        services.stop_process(worker)
    if wanted("differential_phase"):
        result["differential_phase"] = bench_differential(differential_runs)
    if wanted("worker_memory"):
        result["worker_memory"] = bench_worker_memory(memory_runs, warmup=min(20, memory_runs))
    result["measured_at"] = datetime.now().isoformat(timespec="seconds")
    return result
