"""Builds the in-sandbox agent (sandbox/agent/agent.c) into var/sandbox/bin.

Two binaries: `bpflab-agent` (dynamic, for the local backend) and `bpflab-agent.static`
(libbpf, libelf and zlib linked in: the VM initramfs and the docker image carry it and
nothing else). A build is skipped when the binary is newer than its source.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
AGENT_SOURCE = Path(__file__).resolve().parent / "agent" / "agent.c"
BIN_DIR = Path(os.environ.get("BPFLAB_SANDBOX_BIN", REPO_ROOT / "var" / "sandbox" / "bin"))
AGENT_BINARY = BIN_DIR / "bpflab-agent"
AGENT_STATIC_BINARY = BIN_DIR / "bpflab-agent.static"

CFLAGS = ["-O2", "-g", "-Wall", "-Wextra", "-Wno-unused-parameter", "-std=gnu11"]
# libelf.a needs libzstd.a only when elfutils was built with zstd; tried second.
STATIC_LIB_SETS = (["-lbpf", "-lelf", "-lz"], ["-lbpf", "-lelf", "-lz", "-lzstd"])


class BuildError(RuntimeError):
    pass


@dataclass
class BuildReport:
    dynamic: Path
    static: Path
    rebuilt: list[Path]


def _is_fresh(binary: Path) -> bool:
    return binary.exists() and binary.stat().st_mtime >= AGENT_SOURCE.stat().st_mtime


def _compile(output: Path, extra: list[str]) -> subprocess.CompletedProcess[str]:
    tmp = output.with_name(output.name + f".tmp{os.getpid()}")
    cmd = ["gcc", *CFLAGS, "-o", str(tmp), str(AGENT_SOURCE), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if proc.returncode == 0:
        tmp.replace(output)  # atomic: a concurrent run never sees half a binary
    else:
        tmp.unlink(missing_ok=True)
    return proc


def _build_dynamic() -> None:
    proc = _compile(AGENT_BINARY, ["-lbpf"])
    if proc.returncode:
        raise BuildError(f"building {AGENT_BINARY.name} failed:\n{proc.stderr}")


def _build_static() -> None:
    errors = []
    for libs in STATIC_LIB_SETS:
        proc = _compile(AGENT_STATIC_BINARY, ["-static", *libs])
        if proc.returncode == 0:
            return
        errors.append(proc.stderr)
    raise BuildError(f"building {AGENT_STATIC_BINARY.name} failed:\n{errors[-1]}")


def build_agent(force: bool = False) -> BuildReport:
    """Builds whichever agent binary is missing or older than agent.c."""
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    rebuilt = []
    if force or not _is_fresh(AGENT_BINARY):
        _build_dynamic()
        rebuilt.append(AGENT_BINARY)
    if force or not _is_fresh(AGENT_STATIC_BINARY):
        _build_static()
        rebuilt.append(AGENT_STATIC_BINARY)
    return BuildReport(dynamic=AGENT_BINARY, static=AGENT_STATIC_BINARY, rebuilt=rebuilt)


def agent_binary(static: bool = False) -> Path:
    """The agent's path, built first if it is missing or stale."""
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    binary = AGENT_STATIC_BINARY if static else AGENT_BINARY
    if not _is_fresh(binary):
        (_build_static if static else _build_dynamic)()
    return binary
