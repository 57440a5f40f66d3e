"""The sandbox's command line: build the agent, compile, run a job, benchmark.

    python -m sandbox build [--force]
    python -m sandbox compile FILE.c
    python -m sandbox run FILE.c --job JOB.json [--backend local|microvm|docker]
    python -m sandbox bench [--json] [--runs N]
    python -m sandbox check --backend NAME [--run]   (exit 1 when it cannot run here)
    python -m sandbox image ...          (the VM image builder, sandbox/image.py)
    python -m sandbox kernels list|lock  (the pinned kernels, sandbox/kernels.py)

`run` prints every event as a JSON line the moment it arrives; JOB.json holds
{"ops": [...], "limits": {...}} (no object: it comes from compiling FILE.c).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from sandbox.job import Job, RunLimits


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def cmd_build(args: argparse.Namespace) -> int:
    from sandbox.build import BuildError, build_agent

    try:
        report = build_agent(force=args.force)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    for binary in (report.dynamic, report.static):
        state = "built" if binary in report.rebuilt else "up to date"
        print(f"{binary}: {state}")
    return 0


def _compile(path: Path, backend: str = "local") -> Any:
    from sandbox.backends import get_backend
    from sandbox.compile import compile_source

    source = path.read_text(encoding="utf-8", errors="replace")
    # `#include "vmlinux.h"`: the types of the kernel the backend runs programs on
    return compile_source(source, kernel_headers=get_backend(backend).kernel_headers())


def cmd_compile(args: argparse.Namespace) -> int:
    result = _compile(Path(args.file), args.backend)
    _print_json(result.to_dict())
    return 0 if result.ok else 1


def load_job_spec(path: Path, obj: bytes) -> Job:
    """A Job from a JSON file of ops + limits, with the given object file."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(spec, dict) or not isinstance(spec.get("ops"), list):
        raise ValueError(f"{path}: expected an object with an 'ops' list")
    job = Job(object=obj, ops=spec["ops"], limits=RunLimits.from_dict(spec.get("limits")))
    job.validate()
    return job


def cmd_run(args: argparse.Namespace) -> int:
    from sandbox.backends import get_backend

    compiled = _compile(Path(args.file), args.backend)
    if not compiled.ok:
        _print_json({"event": "compile", **compiled.to_dict()})
        return 1
    try:
        job = load_job_spec(Path(args.job), compiled.object)
    except ValueError as exc:
        print(f"bad job: {exc}", file=sys.stderr)
        return 2
    backend = get_backend(args.backend)
    available, reason = backend.available()
    if not available:
        print(f"backend {args.backend} is not available: {reason}", file=sys.stderr)
        return 2
    result = backend.run(job, on_event=_print_json)
    return 0 if result.ok else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from sandbox.bench import main as bench_main

    return bench_main(runs=args.runs, as_json=args.json, backends=args.backends)


def cmd_check(args: argparse.Namespace) -> int:
    from sandbox.selfcheck import check

    ok, said = check(args.backend, run=args.run)
    print(said, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def cmd_image(argv: list[str]) -> int:
    if importlib.util.find_spec("sandbox.image") is None:
        print("sandbox.image is not there yet (the VM image builder)", file=sys.stderr)
        return 2
    image = importlib.import_module("sandbox.image")
    return int(image.main(argv) or 0)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the agent into var/sandbox/bin")
    build.add_argument("--force", action="store_true", help="rebuild even when up to date")
    build.set_defaults(func=cmd_build)
    comp = sub.add_parser("compile", help="compile a BPF C file, print the CompileResult JSON")
    comp.add_argument("file")
    comp.add_argument(
        "--backend", default="local", choices=["local", "microvm", "docker"],
        help="whose kernel vmlinux.h describes",
    )  # fmt: skip
    comp.set_defaults(func=cmd_compile)
    run = sub.add_parser("run", help="compile FILE.c and run JOB.json, printing events")
    run.add_argument("file")
    run.add_argument("--job", required=True, help='JSON: {"ops": [...], "limits": {...}}')
    run.add_argument("--backend", default="local", choices=["local", "microvm", "docker"])
    run.set_defaults(func=cmd_run)
    bench = sub.add_parser("bench", help="time a typical XDP lab per backend")
    bench.add_argument("--json", action="store_true", help="end with the JSON result line")
    bench.add_argument("--runs", type=int, default=10, help="runs per measurement (>= 10)")
    bench.add_argument("--backends", default="local,microvm", help="comma-separated: local,microvm")
    bench.set_defaults(func=cmd_bench)
    check = sub.add_parser("check", help="exit 0 only if a backend can run here (health check)")
    check.add_argument("--backend", default="local", choices=["local", "microvm", "docker"])
    check.add_argument("--run", action="store_true", help="also run a small XDP program there")
    check.set_defaults(func=cmd_check)
    sub.add_parser("image", help="the VM image builder (sandbox/image.py)", add_help=False)
    sub.add_parser("kernels", help="the pinned kernels (sandbox/kernels.py)", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["image"]:
        return cmd_image(argv[1:])
    if argv[:1] == ["kernels"]:
        from sandbox.kernels import main as kernels_main

        return kernels_main(argv[1:])
    args = parser().parse_args(argv)
    return int(args.func(args))
