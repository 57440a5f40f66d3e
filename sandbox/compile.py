"""The compile jail: a learner's BPF C source -> object file, diagnostics, disassembly.

clang runs inside bubblewrap with no network, no host /etc, /root, /home, /var, /proc
or /dev, a read-only /usr, and only the job folder writable. Hiding the files is the
only defence that works: clang 14 prints the content of `#include "/etc/passwd"` in
its errors and copies `asm(".incbin ...")` bytes into the object, so every host file
the compiler can open is a file the learner can read.

When we are root the jail runs as the host user nobody (bwrap then uses an
unprivileged user namespace), so even the writable job folder holds nothing of ours.
CPU time, address space, file size and core dumps are capped with prlimit(1) rather
than a preexec_fn, which is not safe in threaded callers (Celery, Channels).
"""

from __future__ import annotations

import base64
import contextlib
import errno
import functools
import os
import re
import resource
import select
import selectors
import shutil
import signal
import subprocess
import sysconfig
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SOURCE_NAME = "prog.c"
OBJECT_NAME = "prog.o"
JOB_DIR_IN_JAIL = "/job"
INCLUDE_DIR_IN_JAIL = "/bpflab/include"
# The run kernel's vmlinux.h and its precompiled form (sandbox/kernel_headers.py).
KERNEL_DIR_IN_JAIL = "/bpflab/kernel"
JAIL_INCLUDE_SOURCE = Path(__file__).resolve().parent / "include"
NOBODY = 65534
# llvm-objdump starts beside clang; it yields the CPU to it when the machine is busy.
OBJDUMP_NICENESS = 10
KIB = 1024
MIB = 1024 * KIB

# Where clang finds <asm/types.h> and glibc's <bits/...>: Debian's multiarch folder,
# which clang does not search on its own for `-target bpf`.
MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
# bpf_tracing.h needs the target arch for its PT_REGS_* macros.
TARGET_ARCH = {"x86_64": "x86", "aarch64": "arm64"}.get(os.uname().machine, "x86")

DIAGNOSTIC_LINE = re.compile(
    r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):(?P<column>\d+): "
    r"(?P<severity>fatal error|error|warning|note): (?P<message>.*)$"
)


@dataclass(frozen=True)
class CompileLimits:
    wall_s: float = 10.0
    cpu_s: int = 10
    memory_bytes: int = 1024 * MIB
    object_bytes: int = 16 * MIB
    message_bytes: int = 64 * KIB
    source_bytes: int = 64 * KIB
    disassembly_bytes: int = 1 * MIB


@dataclass
class Diagnostic:
    file: str
    line: int
    column: int
    severity: str  # error, warning, note, fatal
    message: str
    source_line: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class CompileResult:
    ok: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    object: bytes | None = None
    disassembly: str = ""
    output: str = ""
    error: str | None = None
    duration_s: float = 0.0
    # with compile_source(..., disassemble="later"): the disassembly still being made
    pending_disassembly: PendingDisassembly | None = field(default=None, repr=False, compare=False)

    # `Any`, not `object`: inside this class `object` names the field above.
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the object is base64, as in a Job."""
        return {
            "ok": self.ok,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "object": base64.b64encode(self.object).decode() if self.object is not None else None,
            "disassembly": self.disassembly,
            "output": self.output,
            "error": self.error,
            "duration_s": self.duration_s,
        }


@dataclass
class _JailedRun:
    returncode: int | None
    output: bytes
    dropped_bytes: int
    timed_out: bool
    cpu_s: float


def compile_source(
    source: str,
    limits: CompileLimits | None = None,
    *,
    disassemble: bool | str = True,
    kernel_headers: Path | None = None,
) -> CompileResult:
    """Compiles in the jail.

    `kernel_headers`: the folder of the run kernel's vmlinux.h (sandbox.kernel_headers),
    which `#include "vmlinux.h"` then finds; None leaves it out.

    `disassemble`: True (the default) fills `disassembly`; False leaves it "" (the
    caller may get it later with `disassemble()`); "later" returns as soon as clang is
    done, with `pending_disassembly` set on success: llvm-objdump goes on in a jail of
    its own, started while clang ran (its setup off the critical path too), and
    `pending_disassembly.result()` waits for its text."""
    limits = limits or CompileLimits()
    started = time.monotonic()
    result = _compile(
        source, limits, started + limits.wall_s, disassemble, kernel_headers=kernel_headers
    )
    if disassemble is True and result.pending_disassembly is not None:
        result.disassembly = result.pending_disassembly.result()
        result.pending_disassembly = None
    result.duration_s = round(time.monotonic() - started, 4)
    return result


def disassemble(obj: bytes, source: str | None = None, limits: CompileLimits | None = None) -> str:
    """`llvm-objdump -d -S` of an object, in the same jail as the compiler ("" when it
    fails). With the source, its lines are interleaved as compile_source does."""
    limits = limits or CompileLimits()
    encoded = source.encode("utf-8", errors="replace") if source is not None else None
    return PendingDisassembly(encoded, limits).start(obj).result()


def _compile(
    source: str,
    limits: CompileLimits,
    deadline: float,
    disassemble: bool | str = True,
    kernel_headers: Path | None = None,
) -> CompileResult:
    encoded = source.encode("utf-8", errors="replace")
    if len(encoded) > limits.source_bytes:
        return CompileResult(
            ok=False,
            error=f"source is {len(encoded)} bytes; the limit is {limits.source_bytes} bytes",
        )
    clang = _tool_path("clang")
    if clang is None:
        return CompileResult(ok=False, error="clang is not installed under /usr")
    # objdump's own jail first: its setup and objdump's start (~15 ms of loading LLVM)
    # overlap clang, and it waits for the object on a FIFO
    pending = PendingDisassembly(encoded, limits, deadline) if disassemble else None
    try:
        with _JobFolder(kernel_headers) as job:
            job.write_source(encoded)
            argv = _clang_argv(clang, _kernel_flags(source, kernel_headers))
            run = _run_jailed(job, argv, limits, deadline, limits.message_bytes)
            result = _compile_result(source, job, run, limits)
        if pending is not None and result.ok and result.object is not None:
            result.pending_disassembly, pending = pending.start(result.object), None
        return result
    finally:
        if pending is not None:
            pending.cancel()


class PendingDisassembly:
    """`llvm-objdump -d -S prog.o` in its own jail, started before the object exists.

    Its job folder holds the source (for -S) and, as prog.o, a FIFO: objdump loads (most
    of its run time) and then waits on the FIFO; start(obj) writes the object into it
    from a thread, collects the text and removes the folder. LLVM reads a FIFO into
    memory as it reads stdin, and the output is the same as for a regular file. The
    clang jail never sees this folder. cancel() kills it unused."""

    def __init__(
        self, source: bytes | None, limits: CompileLimits, deadline: float | None = None
    ) -> None:
        self._limits = limits
        self._deadline = time.monotonic() + limits.wall_s if deadline is None else deadline
        self._text = ""
        self._finished = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._folder = _JobFolder().__enter__()
        objdump = _tool_path("llvm-objdump")
        try:
            if source is not None:
                self._folder.write_source(source)
            fifo = self._folder.job / OBJECT_NAME
            os.mkfifo(fifo)
            fifo.chmod(0o644)
            if objdump is not None:
                # niced: on a busy machine clang, which the verdict waits for, goes first
                self._proc = _spawn_jailed(
                    self._folder, _objdump_argv(objdump), limits, niceness=OBJDUMP_NICENESS
                )
        except BaseException:
            self._folder.__exit__(None, None, None)
            raise

    def start(self, obj: bytes) -> PendingDisassembly:
        threading.Thread(target=self._work, args=(obj,), name="bpflab-objdump", daemon=True).start()
        return self

    def done(self) -> bool:
        return self._finished.is_set()

    def result(self, timeout: float | None = None) -> str:
        """The disassembly text ("" when objdump failed or is not done by the timeout)."""
        self._finished.wait(timeout)
        return self._text

    def cancel(self) -> None:
        try:
            if self._proc is not None:
                _kill_group(self._proc)
                _collect_jailed(self._proc, self._deadline, 0)
        finally:
            self._folder.__exit__(None, None, None)
            self._finished.set()

    def _work(self, obj: bytes) -> None:
        try:
            if self._proc is not None:
                _feed_fifo(self._folder.job / OBJECT_NAME, obj, self._proc, self._deadline)
                limit = self._limits.disassembly_bytes
                run = _collect_jailed(self._proc, self._deadline, limit)
                if not run.timed_out and run.returncode == 0:
                    self._text = _decode(run.output, run.dropped_bytes)
        finally:
            self._folder.__exit__(None, None, None)
            self._finished.set()


def _feed_fifo(fifo: Path, data: bytes, reader: subprocess.Popen[bytes], deadline: float) -> None:
    """Writes data into the FIFO once the reader has opened it, then closes it (EOF).
    Gives up at the deadline or when the reader is gone (its exit status says why)."""
    fd = None
    while fd is None:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as error:
            if error.errno != errno.ENXIO:  # ENXIO: no reader yet
                return
            if time.monotonic() >= deadline or reader.poll() is not None:
                return
            time.sleep(0.001)
    view = memoryview(data)
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_WRITE)
            while view and (remaining := deadline - time.monotonic()) > 0:
                if not selector.select(timeout=min(remaining, 0.1)):
                    if reader.poll() is not None:
                        return
                    continue
                try:
                    view = view[os.write(fd, view[: 64 * KIB]) :]
                except BlockingIOError:
                    continue
    except OSError:  # EPIPE: the reader is gone
        return
    finally:
        os.close(fd)


def _compile_result(
    source: str, job: _JobFolder, run: _JailedRun, limits: CompileLimits
) -> CompileResult:
    output = _decode(run.output, run.dropped_bytes)
    diagnostics = parse_diagnostics(output, source)
    if run.timed_out:
        return _failed(
            output, diagnostics, f"compiler killed at its {limits.wall_s:g} s time limit"
        )
    if run.returncode != 0:
        return _failed(output, diagnostics, _failure_reason(run, output, diagnostics, limits))
    obj = job.read_object()
    if obj is None:
        return _failed(output, diagnostics, "compiler produced no object file")
    return CompileResult(
        ok=True,
        diagnostics=diagnostics,
        object=obj,
        output=output,
    )


def _failed(output: str, diagnostics: list[Diagnostic], reason: str | None) -> CompileResult:
    return CompileResult(ok=False, diagnostics=diagnostics, output=output, error=reason)


CPU_LIMIT_SEEN_AT = 0.85


def _failure_reason(
    run: _JailedRun, output: str, diagnostics: list[Diagnostic], limits: CompileLimits
) -> str | None:
    """A platform-level reason, or None when the diagnostics explain the failure."""
    returncode, cpu_s = run.returncode, run.cpu_s
    signum = _signal_of(returncode)
    # clang's crash handler turns SIGXCPU into "Stack dump" + exit status 1, so the CPU time
    # used tells. rusage's user+system time runs a few percent short of what the kernel
    # counts for the limit (0.94-1.01 s seen for a 1 s limit on a loaded machine).
    if cpu_s >= CPU_LIMIT_SEEN_AT * limits.cpu_s or signum in (signal.SIGXCPU, signal.SIGKILL):
        return f"compiler stopped at its {limits.cpu_s} s CPU time limit"
    if "out of memory" in output or "std::bad_alloc" in output:
        return "compiler ran out of memory (address space limit)"
    if _hit_file_size_limit(output):
        return f"the object file reached the {limits.object_bytes // MIB} MiB output limit"
    if "Stack dump:" in output or "PLEASE submit a bug report" in output:
        return "compiler crashed"
    if signum is not None:
        return f"compiler crashed ({signal.Signals(signum).name})"
    if output.startswith("bwrap:"):
        return "compile jail failed to start: " + output.splitlines()[0]
    if any(d.severity in ("error", "fatal") for d in diagnostics):
        return None
    first = output.strip().splitlines()[0] if output.strip() else f"exit status {returncode}"
    return f"compiler failed: {first}"


def _hit_file_size_limit(output: str) -> bool:
    """RLIMIT_FSIZE stopped the object write (SIGXFSZ, which clang's in-process crash
    recovery turns into exit status 1 with a stack dump from its code generator)."""
    return "Stack dump:" in output and "Code generation" in output and "IO failure" in output


def _signal_of(returncode: int | None) -> int | None:
    """bwrap reports a child killed by signal N as exit status 128 + N."""
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if 128 < returncode < 128 + 65:
        return returncode - 128
    return None


def _objdump_argv(objdump: str) -> list[str]:
    return [objdump, "-d", "-S", "--no-show-raw-insn", OBJECT_NAME]


def _clang_argv(clang: str, extra: list[str] | None = None) -> list[str]:
    return [clang, *_clang_flags(), *(extra or []), "-c", SOURCE_NAME, "-o", OBJECT_NAME]


def _clang_flags() -> list[str]:
    """Every flag but the files: a precompiled header is only valid with the same ones."""
    return [
        "-O2",
        "-g",
        "-target",
        "bpf",
        f"-D__TARGET_ARCH_{TARGET_ARCH}",
        # Our stand-in headers first: see sandbox/include/gnu/stubs-32.h.
        f"-I{INCLUDE_DIR_IN_JAIL}",
        f"-I/usr/include/{MULTIARCH}",
        "-fno-color-diagnostics",
        # A crashing clang would otherwise try to write reproducer files.
        "-fno-crash-diagnostics",
        f"-I{KERNEL_DIR_IN_JAIL}",
    ]


def pch_flags() -> list[str]:
    return _clang_flags()


@functools.cache
def clang_version() -> str:
    clang = _tool_path("clang")
    if clang is None:
        return ""
    proc = subprocess.run([clang, "--version"], capture_output=True, text=True)
    return proc.stdout.splitlines()[0] if proc.stdout else ""


FIRST_DIRECTIVE = re.compile(
    r'\A(?:\s|//[^\n]*\n|/\*.*?\*/)*#\s*include\s*[<"]vmlinux\.h[>"]', re.S
)


def _kernel_flags(source: str, kernel_headers: Path | None) -> list[str]:
    """-include-pch when the program starts with `#include "vmlinux.h"`: the PCH then
    stands for exactly that include (its guard makes the include itself a no-op).
    Anything before it (a #define that changes vmlinux.h) means no PCH."""
    from sandbox import kernel_headers as headers

    if kernel_headers is None or not FIRST_DIRECTIVE.match(source):
        return []
    if not headers.pch_matches(kernel_headers):
        return []
    return ["-include-pch", f"{KERNEL_DIR_IN_JAIL}/{headers.PCH_NAME}"]


def build_pch(folder: Path, limits: CompileLimits | None = None) -> tuple[bytes | None, str]:
    """vmlinux.h of `folder` precompiled in the jail with the learner's flags (None and
    the compiler's output when it failed: the jail user cannot read the folder, ...)."""
    limits = limits or CompileLimits(wall_s=120, cpu_s=120)
    clang = _tool_path("clang")
    if clang is None:
        return None, "clang is not installed under /usr"
    argv = [clang, *_clang_flags(), "-x", "c-header", f"{KERNEL_DIR_IN_JAIL}/vmlinux.h"]
    argv += ["-o", OBJECT_NAME]
    deadline = time.monotonic() + limits.wall_s
    with _JobFolder(folder) as job:
        run = _run_jailed(job, argv, limits, deadline, limits.message_bytes)
        output = _decode(run.output, run.dropped_bytes)
        return (job.read_object() if run.returncode == 0 else None), output


def _tool_path(name: str) -> str | None:
    """The tool's path, only when it lives under /usr (the only system part in the jail)."""
    for candidate in (name, f"{name}-14"):
        found = shutil.which(candidate, path="/usr/bin")
        if found is not None and os.path.realpath(found).startswith("/usr/"):
            return found
    return None


SCRATCH_ENV = "BPFLAB_SCRATCH_DIR"
# Memory-backed on Linux: a compile's folders are a dozen creations and removals, which on
# a disk filesystem whose journal is busy cost up to milliseconds each (measured 4.6 ms
# for mkdtemp + a file + rmdir on ext4 under load, 0.13 ms on tmpfs).
DEFAULT_SCRATCH = Path("/dev/shm")


def scratch_dir() -> str | None:
    """Where compile folders go: $BPFLAB_SCRATCH_DIR, else /dev/shm when it is a folder we
    may write, else the system's temp folder (None)."""
    chosen = os.environ.get(SCRATCH_ENV, "").strip()
    if chosen:
        return chosen
    if DEFAULT_SCRATCH.is_dir() and os.access(DEFAULT_SCRATCH, os.W_OK | os.X_OK):
        return str(DEFAULT_SCRATCH)
    return None


class _JobFolder:
    """A temp folder: `job/` (the jail's only writable place) and `include/` (read-only).

    Both are created fresh per compile so the jail user needs no access to the repo.
    """

    def __init__(self, kernel_headers: Path | None = None) -> None:
        self.kernel_headers = kernel_headers
        self.root = Path(tempfile.mkdtemp(prefix="bpflab-compile-", dir=scratch_dir()))
        self.job = self.root / "job"
        self.include = self.root / "include"

    def __enter__(self) -> _JobFolder:
        try:
            self.root.chmod(0o711)
            self.job.mkdir(mode=0o700)
            if _drops_to_nobody():
                os.chown(self.job, NOBODY, NOBODY)
            _write_jail_includes(self.include)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write_source(self, encoded: bytes) -> None:
        path = self.job / SOURCE_NAME
        path.write_bytes(encoded)
        path.chmod(0o644)

    def read_object(self) -> bytes | None:
        path = self.job / OBJECT_NAME
        return path.read_bytes() if path.is_file() else None


@functools.cache
def _jail_include_files() -> tuple[tuple[str, bytes], ...]:
    """Our stand-in headers (a few small files, read once): relative path, content."""
    return tuple(
        (str(path.relative_to(JAIL_INCLUDE_SOURCE)), path.read_bytes())
        for path in sorted(JAIL_INCLUDE_SOURCE.rglob("*"))
        if path.is_file()
    )


def _write_jail_includes(target: Path) -> None:
    """What shutil.copytree did, without its per-file stat copying (a millisecond)."""
    target.mkdir(exist_ok=True)
    target.chmod(0o755)  # explicit modes: the jail user must read them whatever our umask
    for relative, content in _jail_include_files():
        path = target / relative
        for folder in reversed(path.relative_to(target).parents[:-1]):
            (target / folder).mkdir(exist_ok=True)
            (target / folder).chmod(0o755)
        path.write_bytes(content)
        path.chmod(0o644)


def _drops_to_nobody() -> bool:
    return os.geteuid() == 0


def _jail_argv(job: _JobFolder, limits: CompileLimits, command: list[str]) -> list[str]:
    cpu = f"{limits.cpu_s}:{limits.cpu_s + 1}"  # SIGXCPU first, SIGKILL a second later
    rlimits = [
        f"--cpu={cpu}",
        f"--as={limits.memory_bytes}",
        f"--fsize={limits.object_bytes}",
        "--core=0",
    ]
    # No /proc, /dev, /tmp, /etc: clang 14 and llvm-objdump need none of them, and each
    # would be something to read (`#include "/proc/self/environ"`, "/dev/zero", ...).
    jail = [
        "bwrap",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        # The command is the namespace's pid 1, so bwrap waits for it directly and the
        # compiler's CPU time reaches our wait4 (see _wait_until). Neither clang nor
        # llvm-objdump forks, so there is nothing for an init to reap.
        "--as-pid-1",
        "--uid",
        str(NOBODY),
        "--gid",
        str(NOBODY),
        "--ro-bind",
        "/usr",
        "/usr",
        *_system_links(),
        "--ro-bind",
        str(job.include),
        INCLUDE_DIR_IN_JAIL,
        *(["--ro-bind", str(job.kernel_headers), KERNEL_DIR_IN_JAIL] if job.kernel_headers else []),
        "--bind",
        str(job.job),
        JOB_DIR_IN_JAIL,
        "--chdir",
        JOB_DIR_IN_JAIL,
        "--",
    ]
    return ["prlimit", *rlimits, "--", *jail, *command]


def _system_links() -> list[str]:
    """/lib, /lib64, /bin as on the host, so the dynamic loader and libc are found:
    symlinks into /usr on a merged-/usr system, read-only binds on an older one."""
    links: list[str] = []
    for name in ("bin", "lib", "lib64", "sbin"):
        path = Path("/", name)
        if path.is_symlink():
            links += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            links += ["--ro-bind", str(path), str(path)]
    return links


def _run_jailed(
    job: _JobFolder, command: list[str], limits: CompileLimits, deadline: float, cap: int
) -> _JailedRun:
    return _collect_jailed(_spawn_jailed(job, command, limits), deadline, cap)


def _spawn_jailed(
    job: _JobFolder, command: list[str], limits: CompileLimits, niceness: int = 0
) -> subprocess.Popen[bytes]:
    argv = _jail_argv(job, limits, command)
    if niceness:
        argv = ["nice", "-n", str(niceness), *argv]
    # Dropping to nobody with setpriv rather than Popen(user=...): with a uid to set,
    # Python forks instead of vforking, and copying a worker's page tables costs ~7 ms
    # of the caller's time per compile (measured with a 100 MB heap).
    setpriv = shutil.which("setpriv", path="/usr/bin:/bin")
    drop = _drops_to_nobody()
    if drop and setpriv is not None:
        ids = [f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        argv = [setpriv, *ids, "--", *argv]
    in_python = drop and setpriv is None
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        cwd="/",
        start_new_session=True,  # one process group to kill at the wall limit
        user=NOBODY if in_python else None,
        group=NOBODY if in_python else None,
        extra_groups=[] if in_python else None,
    )


def _collect_jailed(proc: subprocess.Popen[bytes], deadline: float, cap: int) -> _JailedRun:
    """Reads the jail's output (keeping `cap` bytes) and reaps it, killing it at the
    deadline."""
    assert proc.stdout is not None
    with proc.stdout:
        output, dropped, timed_out = _read_capped(proc.stdout.fileno(), cap, deadline)
    exited = None if timed_out else _wait_until(proc.pid, deadline)
    if exited is None:
        _kill_group(proc)
        _, status, usage = os.wait4(proc.pid, 0)
    else:
        status, usage = exited
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for its rusage
    killed = exited is None
    cpu_s = usage.ru_utime + usage.ru_stime
    return _JailedRun(None if killed else proc.returncode, output, dropped, killed, cpu_s)


def _read_capped(fd: int, cap: int, deadline: float) -> tuple[bytes, int, bool]:
    """Read until EOF, keeping `cap` bytes; (kept, dropped, hit the deadline)."""
    kept = bytearray()
    dropped = 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(kept), dropped, True
            if not selector.select(timeout=remaining):
                continue
            chunk = os.read(fd, 64 * KIB)
            if not chunk:
                return bytes(kept), dropped, False
            room = max(0, cap - len(kept))
            kept += chunk[:room]
            dropped += len(chunk) - min(room, len(chunk))


def _wait_until(pid: int, deadline: float) -> tuple[int, resource.struct_rusage] | None:
    """Reap pid (its output is closed: it is exiting) unless the deadline passes first.

    wait4 rather than Popen.wait: its rusage includes the jail's reaped descendants, so
    the compiler's CPU time tells a CPU-limit kill from a crash (clang's in-process
    crash recovery turns SIGXCPU into exit status 1). A pidfd says when it has exited,
    with no polling delay."""
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:  # an old kernel: poll
        pidfd = None
    try:
        while True:
            reaped, status, usage = os.wait4(pid, os.WNOHANG)
            if reaped:
                return status, usage
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if pidfd is None:
                time.sleep(0.002)
            else:
                select.select([pidfd], [], [], remaining)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # Killing bwrap is enough for the rest: --die-with-parent, then the PID namespace's
    # init dying takes every process in the jail with it. The group kill covers prlimit.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _decode(output: bytes, dropped: int) -> str:
    text = output.decode("utf-8", errors="replace")
    if dropped:
        text += f"\n[bpflab: output truncated, {dropped} more bytes dropped]\n"
    return text


def parse_diagnostics(output: str, source: str) -> list[Diagnostic]:
    """clang's `prog.c:12:5: error: ...` lines, each with the source line it points at."""
    # clang counts lines at \n, \r\n and \r only; str.splitlines() would also split at
    # form feeds and other separators and shift every line after them.
    source_lines = re.split(r"\r\n|\r|\n", source)
    output_lines = output.splitlines()
    diagnostics = []
    for index, text in enumerate(output_lines):
        match = DIAGNOSTIC_LINE.match(text)
        if match is None:
            continue
        line = int(match["line"])
        following = output_lines[index + 1] if index + 1 < len(output_lines) else ""
        diagnostics.append(
            Diagnostic(
                file=match["file"],
                line=line,
                column=int(match["column"]),
                severity="fatal" if match["severity"] == "fatal error" else match["severity"],
                message=match["message"],
                source_line=_source_line(match["file"], line, source_lines, following),
            )
        )
    return diagnostics


def _source_line(file: str, line: int, source_lines: list[str], following: str) -> str:
    """The learner's own line for prog.c; for headers, the line clang echoed after it."""
    if file == SOURCE_NAME:
        return source_lines[line - 1] if 0 < line <= len(source_lines) else ""
    if DIAGNOSTIC_LINE.match(following) or following.startswith("In file included from"):
        return ""
    return following
