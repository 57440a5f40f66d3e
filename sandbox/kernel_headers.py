"""`vmlinux.h` for a run's kernel: every kernel type, from the kernel's own BTF.

A tracing program may `#include "vmlinux.h"` (struct filename, struct task_struct, ...)
and read fields with CO-RE (`BPF_CORE_READ`). The header must describe the kernel the
program runs on, so it is made from that kernel's BTF, once per kernel, not once per run:

- `prepare(btf, folder)` writes `folder/vmlinux.h` (`bpftool btf dump file BTF format
  c`) and `folder/vmlinux.h.pch`, a clang precompiled header made in the compile jail
  with the very flags a learner's compile uses. Parsing the 2 MB header costs ~0.2 s a
  compile; loading the PCH ~5 ms. `pch.json` records the clang and flags it was made
  with: a compile uses the PCH only when both still match.
- The microVM image calls it for its kernel at build time (sandbox/image.py); the host
  kernel's folder (local and docker backends) is made on first use under
  `var/sandbox/kernels/<hash of /sys/kernel/btf/vmlinux>/`.

The compile jail mounts the folder read-only at /bpflab/kernel (sandbox/compile.py).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import subprocess
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
KERNELS_ROOT = Path(
    os.environ.get("BPFLAB_KERNEL_HEADERS_DIR", REPO_ROOT / "var" / "sandbox" / "kernels")
)
HOST_BTF = Path("/sys/kernel/btf/vmlinux")
HEADER_NAME = "vmlinux.h"
PCH_NAME = "vmlinux.h.pch"
PCH_INFO_NAME = "pch.json"
BPFTOOL = os.environ.get("BPFLAB_BPFTOOL", "bpftool")


class KernelHeadersError(RuntimeError):
    pass


def prepare(btf: Path, folder: Path) -> Path:
    """vmlinux.h (and its PCH) for the kernel whose BTF (or ELF vmlinux) is `btf`."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # the compile jail's user (nobody) reads it
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        header = folder / HEADER_NAME
        if not header.exists():
            _dump_header(btf, header)
        if not pch_matches(folder):
            _make_pch(folder)
    return folder


@functools.cache
def host_headers() -> Path | None:
    """The host kernel's folder (made once a process: the kernel does not change under
    it), or None when the kernel has no BTF."""
    if not HOST_BTF.exists():
        return None
    return prepare(HOST_BTF, KERNELS_ROOT / _btf_digest(HOST_BTF))


def _btf_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _dump_header(btf: Path, header: Path) -> None:
    proc = subprocess.run(
        [BPFTOOL, "btf", "dump", "file", str(btf), "format", "c"],
        capture_output=True,
        timeout=120,
    )
    if proc.returncode != 0 or b"struct task_struct {" not in proc.stdout:
        raise KernelHeadersError(
            f"bpftool could not dump the BTF of {btf}: {proc.stderr.decode(errors='replace')[-300:]}"
        )
    tmp = header.with_name(header.name + f".tmp{os.getpid()}")
    tmp.write_bytes(proc.stdout)
    tmp.chmod(0o644)
    tmp.replace(header)


def pch_info() -> dict[str, object]:
    """What a PCH must have been made with to be used now: this clang, these flags."""
    from sandbox import compile as jail

    return {"clang": jail.clang_version(), "flags": jail.pch_flags()}


def pch_matches(folder: Path) -> bool:
    try:
        info = json.loads((folder / PCH_INFO_NAME).read_text())
    except (OSError, ValueError):
        return False
    return (folder / PCH_NAME).exists() and info == pch_info()


def _make_pch(folder: Path) -> None:
    from sandbox import compile as jail

    pch, output = jail.build_pch(folder)
    if pch is None:
        # the learner's compiles would fail the same way: say it now, at build time
        raise KernelHeadersError(f"cannot precompile {folder / HEADER_NAME}: {output[-500:]}")
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        out.write(pch)
    os.chmod(out.name, 0o644)
    os.replace(out.name, folder / PCH_NAME)
    (folder / PCH_INFO_NAME).write_text(json.dumps(pch_info()))
