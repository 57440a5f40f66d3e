"""Captures the golden corpus: each mistake here is compiled in the jail and loaded by the
sandbox agent on a real kernel; the log is stored as `<mistake>.<backend>.log`.

    .venv/bin/python -m tests.verifier_logs.capture local microvm microvm-6.12 microvm-7.2
    .venv/bin/python -m tests.verifier_logs.capture local docker wrong_section.c  # one mistake

`microvm` is the default kernel's VM (6.1); `microvm-<kernel>` another kernel's (every one
of sandbox/kernels.lock is in the corpus: newer kernels word their complaints otherwise).

The expected class and line of each mistake are in `expected.yaml`; the logs change only
when a kernel does (the microvm's is the image's kernel, `python -m sandbox image build`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from sandbox.backends import get_backend
from sandbox.compile import compile_source
from sandbox.job import Job

HERE = Path(__file__).resolve().parent


def capture(source: Path, backend: str) -> str:
    compiled = compile_source(source.read_text())
    assert compiled.ok, compiled.output
    job = Job(object=compiled.object, ops=[{"op": "load", "id": "load", "log_level": 1}])
    name, _, kernel = backend.partition("-")
    load = get_backend(name, **({"kernel": kernel} if kernel else {})).run(job).by_id("load")
    assert load is not None and not load["ok"], f"{source.name}: loaded on {backend}"
    return str(load["verifier_log"])


def main(backends: list[str]) -> None:
    """`mistake.c` arguments capture only those mistakes (all of them without)."""
    only = {a.removesuffix(".c") for a in backends if a.endswith(".c")}
    backends = [a for a in backends if not a.endswith(".c")]
    for source in sorted(HERE.glob("*.c")):
        if only and source.stem not in only:
            continue
        for backend in backends:
            log = capture(source, backend)
            (HERE / f"{source.stem}.{backend}.log").write_text(log)
            print(f"{source.stem}.{backend}.log: {len(log.splitlines())} lines")


if __name__ == "__main__":
    main(sys.argv[1:] or ["local", "microvm"])
