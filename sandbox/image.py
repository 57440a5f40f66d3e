"""The microVM images: one per kernel, each a Debian cloud kernel, a busybox initramfs
with the agent, and a snapshot.

`python -m sandbox image build [--kernel K ...]` (run by `make install`; default: every
kernel of `sandbox/kernels.lock`) makes, for each kernel, under
`var/sandbox/image/<kernel>/<key>/` (key: a hash of every input, so a build is cached and
rebuilt only when something changed):

- `vmlinux` (or `vmlinuz`): the kernel, its packages pinned in `sandbox/kernels.lock` and
  fetched through bpflab's private apt configuration (sandbox/kernels.py), unpacked with
  `dpkg -x` into a temp folder; never installed on the host. The ELF kernel is taken out
  of the bzImage so that qemu starts it through its PVH entry, with no decompression in
  the guest.
- `kernel/vmlinux.h` (+ its precompiled `vmlinux.h.pch`): every type of this kernel,
  dumped from its BTF (sandbox/kernel_headers.py), for programs that `#include
  "vmlinux.h"`; the compile jail mounts the folder for runs on this kernel. One step per
  kernel image: each kernel gets its own.
- `initrd.cpio`: an uncompressed newc initramfs (decompressing under TCG costs boot
  time): `/init` (sandbox/vm/init), busybox-static with the applets the init script and
  the trigger allow list need, the static agent, and the `=m` modules the guest needs
  (veth, clsact, cls_bpf, gact/bpf actions, virtio-mmio + virtio-console for the job
  channel) with their dependencies, in load order; and the warm-up (sandbox/vm/warmup.c
  compiled, and a whole job with it, see warm_up_job()) the agent serves before the
  snapshot and again in each pooled VM.
- `snapshot.mig`: the VM booted once until the agent waits on its job channel (a virtio
  serial port), saved with QMP `stop` + `migrate exec:cat > FILE` (~58 MB: the kernel
  runs with init_on_free=1, so free memory is zero pages). The microvm backend restores
  a fresh copy of it into a new qemu for every run.
- `manifest.json`: the inputs, the accelerator (a KVM boot is tried once under a short
  timeout; TCG when it does not reach the ready line), sizes and timings.

`var/sandbox/image/<kernel>/current` points at the kernel's image in use, and
`var/sandbox/image/current` at the default kernel's (the lock's default); older images
are pruned (the previous one is kept for runs still using it); the kernels' .debs are
kept in `var/sandbox/debs/`. A kernel whose build fails is reported and skipped: a site
offers the kernels that built (`built_kernels()`). Other commands: `python -m sandbox
image info [--kernel K]` (the manifest as JSON), `... image build --force` (rebuild
anyway), `--no-snapshot` (every run then boots cold).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import lzma
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox import build, kernel_headers, kernels
from sandbox.job import TRIGGER_APPLETS
from sandbox.vmboot import (  # noqa: F401 (QEMU: the image is for this qemu)
    CHANNEL_NAME,
    MACHINE_ARGS,
    MEMORY_MIB,
    QEMU,
    READY_MARKER,
    Machine,
    VMError,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
IMAGE_ROOT = Path(os.environ.get("BPFLAB_VM_IMAGE_DIR", REPO_ROOT / "var" / "sandbox" / "image"))
CURRENT_LINK_NAME = "current"
INIT_SCRIPT = Path(__file__).resolve().parent / "vm" / "init"
# Loaded once by the agent before the snapshot (the init passes it with --warm-up), and
# served as a whole job by a child of the agent (--warm-up-job), see warm_up_job().
WARM_UP_SOURCE = Path(__file__).resolve().parent / "vm" / "warmup.c"
WARM_UP_PATH = "lib/bpflab-warmup.o"
WARM_UP_JOB_PATH = "lib/bpflab-warmup.job"
BUSYBOX = Path(os.environ.get("BPFLAB_BUSYBOX", "/bin/busybox"))
# Bump when the layout of what this module writes changes.
BUILDER_VERSION = 6

# =m in the cloud kernel and needed by the agent: the veth pair, tc's clsact qdisc
# (sch_ingress.ko), the bpf classifier, and the actions a tc program may return through;
# then the job channel: a virtio serial port on microvm's virtio-mmio transport.
GUEST_MODULES = (
    "veth", "sch_ingress", "cls_bpf", "act_bpf", "act_gact", "virtio_mmio", "virtio_console",
)  # fmt: skip
# what init needs, then the trigger allow list (sandbox/job.py)
INIT_APPLETS = ("sh", "mount", "mkdir", "insmod", "dmesg", "tail", "ip", "sleep", "reboot")
APPLETS = INIT_APPLETS + tuple(a for a in TRIGGER_APPLETS if a not in INIT_APPLETS)

KERNEL_CMDLINE = (
    "console=ttyS0 quiet loglevel=1 panic=-1 reboot=t pci=off mitigations=off random.trust_cpu=on "
    "init_on_free=1"
)
# VM templating (as Kata Containers does it): the snapshot's guest RAM lives in this file,
# written through a shared memory-backend-file while the VM booted; a restore maps it
# private (copy-on-write) and reads only the devices' state from snapshot.mig, migrated
# with x-ignore-shared. BPFLAB_VM_TEMPLATE=0 saves the whole RAM in snapshot.mig instead.
TEMPLATE_RAM_NAME = "ram"
TEMPLATE = os.environ.get("BPFLAB_VM_TEMPLATE", "1") != "0"
# BPFLAB_VM_WARM_UP=0 leaves the warm-up out (to measure what it gains).
WARM_UP = os.environ.get("BPFLAB_VM_WARM_UP", "1") != "0"
# A snapshot boot runs the warm-up job: 3-4 s on an idle machine, ~25 s on a loaded 2-core
# host, more inside a container there; a hung boot is still killed, a slow one must not
# cost a kernel.
BOOT_TIMEOUT_S = 120.0
KVM_PROBE_TIMEOUT_S = 5.0

Log = Callable[[str], None]


class ImageError(RuntimeError):
    pass


@dataclass
class Image:
    directory: Path
    manifest: dict[str, Any]

    @property
    def kernel_name(self) -> str:
        """The kernel's name in sandbox/kernels.lock, e.g. "6.12"."""
        return str(self.manifest.get("inputs", {}).get("kernel", {}).get("name", ""))

    @property
    def kernel_release(self) -> str:
        """uname -r inside the VM, e.g. "6.12.118+deb13-cloud-amd64"."""
        return str(self.manifest.get("release", ""))

    @property
    def kernel_note(self) -> str:
        """Why the image holds another version than the lock's ("" when it holds the
        pinned one): the pinned version had gone from the archive (kernels.usable_kernel)."""
        return str(self.manifest.get("kernel_note") or "")

    @property
    def kernel(self) -> Path:
        return self.directory / str(self.manifest.get("kernel", "vmlinuz"))

    @property
    def kernel_headers(self) -> Path | None:
        """The folder of this kernel's vmlinux.h, or None in an image built without it."""
        folder = self.directory / "kernel"
        return folder if (folder / kernel_headers.HEADER_NAME).exists() else None

    @property
    def initrd(self) -> Path:
        return self.directory / "initrd.cpio"

    @property
    def snapshot(self) -> Path:
        return self.directory / "snapshot.mig"

    @property
    def accel(self) -> str:
        return str(self.manifest.get("accel", "tcg"))

    @property
    def cmdline(self) -> str:
        return str(self.manifest.get("cmdline", KERNEL_CMDLINE))

    def has_snapshot(self) -> bool:
        return bool(self.manifest.get("snapshot")) and self.snapshot.exists()

    @property
    def template_ram(self) -> Path | None:
        """The saved guest RAM of a template snapshot (each restore maps it copy-on-write,
        and snapshot.mig then holds only the devices' state), None for a full snapshot."""
        snapshot = self.manifest.get("snapshot") or {}
        ram = self.directory / TEMPLATE_RAM_NAME
        return ram if snapshot.get("template") and ram.exists() else None


def current_image(root: Path | None = None, kernel: str | None = None) -> Image | None:
    """The image in use for `kernel` (default: the default kernel's), or None when it was
    not built (or is incomplete)."""
    base = root or IMAGE_ROOT
    directory = (base / kernel if kernel else base) / CURRENT_LINK_NAME
    return load_image(directory.resolve()) if directory.exists() else None


def built_kernels(root: Path | None = None) -> dict[str, Image]:
    """Every kernel with a built image, oldest kernel first: {"6.1": Image, ...}."""
    base = root or IMAGE_ROOT
    found = {}
    if base.is_dir():
        for entry in base.iterdir():
            image = current_image(base, entry.name) if entry.is_dir() else None
            if image is not None and not entry.is_symlink():
                found[entry.name] = image
    return dict(sorted(found.items(), key=lambda item: kernels.version_key(item[0])))


def load_image(directory: Path) -> Image | None:
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    image = Image(directory=directory, manifest=manifest)
    if not (image.kernel.exists() and image.initrd.exists()):
        return None
    return image


def _tool_version(tool: str) -> str:
    proc = subprocess.run([tool, "--version"], capture_output=True, text=True)
    return proc.stdout.splitlines()[0].strip() if proc.stdout else ""


def qemu_version() -> str:
    proc = subprocess.run([QEMU, "--version"], capture_output=True, text=True, check=True)
    return proc.stdout.splitlines()[0].strip()


# --- inputs and the image key -------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def host_tsc_khz() -> int | None:
    """The host's TSC frequency, when /proc/cpuinfo's "cpu MHz" is it.

    Under TCG the guest's TSC ticks with the host's. The guest calibrates it against the
    PIT, which fails on a loaded host (no HPET or PM timer on microvm to fall back to),
    and then boots extremely slowly; telling it the frequency skips that calibration.
    "cpu MHz" is the TSC frequency unless the CPU reports its current clock (aperfmperf
    without tsc_known_freq), in which case the guest is left to calibrate.
    """
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in cpuinfo.split("\n\n")[0].splitlines())
    )
    flags = set(fields.get("flags", "").split())
    if "constant_tsc" not in flags or ("aperfmperf" in flags and "tsc_known_freq" not in flags):
        return None
    with contextlib.suppress(KeyError, ValueError):
        return round(float(fields["cpu MHz"]) * 1000)
    return None


def kernel_cmdline() -> str:
    khz = host_tsc_khz()
    return KERNEL_CMDLINE + (f" tsc_early_khz={khz} tsc=reliable" if khz else "")


def collect_inputs(agent: Path, kernel: kernels.Kernel) -> dict[str, Any]:
    return {
        "builder": BUILDER_VERSION,
        "kernel": {
            "name": kernel.name,
            "version": kernel.version,
            "packages": {package.name: package.sha256 for package in kernel.packages},
        },
        "modules": list(GUEST_MODULES),
        "applets": list(APPLETS),
        "busybox_sha256": file_sha256(BUSYBOX),
        "agent_sha256": file_sha256(agent),
        "init_sha256": file_sha256(INIT_SCRIPT),
        "warm_up_sha256": file_sha256(WARM_UP_SOURCE) if WARM_UP else None,
        "clang": _tool_version("clang"),
        "qemu": qemu_version(),
        "machine": list(MACHINE_ARGS),
        "template": TEMPLATE,
        "cmdline": kernel_cmdline(),
        # decide vmlinux (PVH) or bzImage
        "lz4": shutil.which("lz4") is not None,
        "zstd": shutil.which("zstd") is not None,
    }


def image_key(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


# --- the kernel and its modules -----------------------------------------------------


def unpack_vmlinux(bzimage: Path, configs: list[Path], output: Path) -> bool:
    """Writes the ELF kernel inside a bzImage when the kernel can start from it (PVH).

    qemu boots an ELF vmlinux through its PVH entry point, which skips decompressing the
    kernel in the guest: ~0.6 s of a cold boot under TCG. False (keep the bzImage) when
    the kernel lacks CONFIG_PVH or its payload is in a format we do not unpack here.
    """
    if not configs or "CONFIG_PVH=y" not in configs[0].read_text().splitlines():
        return False
    payload = _bzimage_payload(bzimage.read_bytes())
    size = struct.unpack("<I", payload[-4:])[0]  # the kernel build appends the size
    vmlinux = _decompress(payload)
    if vmlinux is None or vmlinux[:4] != b"\x7fELF" or len(vmlinux) != size:
        return False
    output.write_bytes(vmlinux)
    return True


def _bzimage_payload(data: bytes) -> bytes:
    """The compressed kernel inside a bzImage."""
    setup_sectors = data[0x1F1] or 4
    offset, length = struct.unpack_from("<II", data, 0x248)  # payload_offset, _length
    start = (setup_sectors + 1) * 512 + offset
    return data[start : start + length]


def _decompress(payload: bytes) -> bytes | None:
    if payload.startswith(b"\x1f\x8b"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
    if payload.startswith(b"\xfd7zXZ"):
        return lzma.LZMADecompressor().decompress(payload)
    if payload.startswith(b"\x02\x21\x4c\x18") and shutil.which("lz4"):  # legacy lz4
        proc = subprocess.run(["lz4", "-dc"], input=payload[:-4], capture_output=True)
        return proc.stdout if proc.returncode == 0 else None
    if payload.startswith(b"\x28\xb5\x2f\xfd") and shutil.which("zstd"):  # 6.12 on
        proc = subprocess.run(["zstd", "-dc"], input=payload[:-4], capture_output=True)
        return proc.stdout if proc.returncode == 0 else None
    return None


def read_module(path: Path) -> bytes:
    """A module's ELF bytes: newer Debian kernels ship them as .ko.xz (or .ko.zst)."""
    data = path.read_bytes()
    if path.name.endswith(".xz"):
        return lzma.decompress(data)
    if path.name.endswith(".zst"):
        if not shutil.which("zstd"):
            raise ImageError(f"{path.name} is zstd-compressed and zstd is not installed")
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    return data


def module_name(path: Path) -> str:
    """veth.ko.xz -> veth (the name insmod and modinfo's depends= use)."""
    return path.name.split(".ko", 1)[0].replace("-", "_")


def modinfo_depends(module: Path | bytes) -> list[str]:
    """The `depends=` of a .ko, read from its ELF .modinfo section (no kmod needed)."""
    data = read_module(module) if isinstance(module, Path) else module
    if data[:4] != b"\x7fELF" or data[4] != 2:
        what = module if isinstance(module, Path) else "the module"
        raise ImageError(f"{what} is not a 64-bit ELF module")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def section(index: int) -> tuple[int, int, int]:
        base = shoff + index * shentsize
        name = struct.unpack_from("<I", data, base)[0]
        offset, size = struct.unpack_from("<QQ", data, base + 0x18)
        return name, offset, size

    _, names_offset, _ = section(shstrndx)
    for index in range(shnum):
        name, offset, size = section(index)
        end = data.index(b"\0", names_offset + name)
        if data[names_offset + name : end] != b".modinfo":
            continue
        for field in data[offset : offset + size].split(b"\0"):
            if field.startswith(b"depends="):
                value = field[len(b"depends=") :].decode()
                return [dep for dep in value.split(",") if dep]
    return []


def builtin_modules(module_dir: Path) -> set[str]:
    """Modules built into the kernel (modules.builtin): nothing to load for them."""
    listing = module_dir / "modules.builtin"
    if not listing.exists():
        return set()
    return {module_name(Path(line)) for line in listing.read_text().split()}


def modules_in_load_order(module_dir: Path, wanted: Iterable[str]) -> list[Path]:
    """The wanted modules and everything they depend on, dependencies first; modules the
    kernel has built in (6.12 builds virtio_console in) are left out."""
    index = {module_name(path): path for path in module_dir.rglob("*.ko*")}
    builtin = builtin_modules(module_dir)
    ordered: list[Path] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        name = name.replace("-", "_")
        if name in seen:
            return
        seen.add(name)
        path = index.get(name)
        if path is None:
            if name in builtin:
                return
            raise ImageError(f"module {name} is not in {module_dir}")
        for dependency in modinfo_depends(path):
            visit(dependency)
        ordered.append(path)

    for name in wanted:
        visit(name)
    return ordered


# --- the initramfs ------------------------------------------------------------------


class Cpio:
    """Writes a newc cpio archive (what the kernel unpacks as an initramfs)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.inode = 1

    def _entry(
        self, name: str, mode: int, data: bytes = b"", rdev: tuple[int, int] = (0, 0)
    ) -> None:
        encoded = name.encode() + b"\0"
        fields = [self.inode, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
        self.inode += 1
        header = b"070701" + b"".join(b"%08X" % value for value in fields)
        self.parts += [header, encoded, _pad(len(header) + len(encoded)), data, _pad(len(data))]

    def directory(self, name: str) -> None:
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name: str, target: str) -> None:
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def char_device(self, name: str, major: int, minor: int) -> None:
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return b"".join(self.parts)


def _pad(length: int) -> bytes:
    return b"\0" * (-length % 4)


def warm_up_object() -> bytes:
    """sandbox/vm/warmup.c compiled: what the agent loads once before the snapshot."""
    from sandbox.compile import compile_source

    compiled = compile_source(WARM_UP_SOURCE.read_text())
    if not compiled.ok or not compiled.object:
        raise ImageError(f"{WARM_UP_SOURCE.name} did not compile: {compiled.output[-500:]}")
    return compiled.object


def warm_up_job(obj: bytes) -> bytes:
    """The job a child of the agent serves before the snapshot, and again in a pooled VM
    after its restore (agent.c: warm_up_job): what a lab's job does, so that each qemu has
    translated that code (TCG) before a learner's run, and the guest kernel's side is warm
    in the snapshot. Frames of each kind the warm-up program tells apart, in XDP and tc."""
    from sandbox.job import Job
    from sandbox.packets_hex import arp_frame, tcp_frame, udp_frame
    from sandbox.wire import encode_job

    frames = {"udp": udp_frame(7), "tcp": tcp_frame(7), "arp": arp_frame()}
    ops: list[dict[str, Any]] = [{"op": "load", "id": "load"}]
    for program in ("warm_xdp", "warm_tc"):
        for name, frame in frames.items():
            ops.append(
                {"op": "test_run", "id": f"{program}-{name}", "program": program}
                | {"data": frame.hex(), "repeat": 1}
            )
    ops += [{"op": "map_dump", "id": name, "map": name} for name in ("warm_count", "warm_ports")]
    return encode_job(Job(object=obj, ops=ops))


def initramfs(agent: Path, modules: list[Path], warm_up: bytes = b"") -> bytes:
    archive = Cpio()
    for directory in ("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules"):
        archive.directory(directory)
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    archive.char_device("dev/console", 5, 1)
    archive.file("init", INIT_SCRIPT.read_bytes(), 0o755)
    archive.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    for applet in APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    archive.file("bin/bpflab-agent", agent.read_bytes(), 0o755)
    for module in modules:
        archive.file(f"lib/modules/{module_name(module)}.ko", read_module(module))
    order = "".join(f"{module_name(module)}.ko\n" for module in modules)
    archive.file("lib/modules/load-order", order.encode())
    if warm_up:
        archive.file(WARM_UP_PATH, warm_up)
        archive.file(WARM_UP_JOB_PATH, warm_up_job(warm_up))
    return archive.finish()


# --- accelerator and snapshot -------------------------------------------------------


def choose_accel(image: Image, log: Log) -> tuple[str, str]:
    """kvm if a real boot under KVM reaches the ready line within a few seconds, else tcg.

    /dev/kvm may exist and still hang or abort (nested KVM): only a boot tells. The
    verdict is cached per image key next to the images. BPFLAB_VM_ACCEL forces one.
    """
    forced = os.environ.get("BPFLAB_VM_ACCEL")
    if forced in ("kvm", "tcg"):
        return forced, "forced by BPFLAB_VM_ACCEL"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "no usable /dev/kvm"
    cache = IMAGE_ROOT / (image.kernel_name or ".") / "kvm-probe.json"
    # Every input but the agent: a verdict on a broken init says nothing about KVM, while
    # the agent (rebuilt often) does not decide whether the VM reaches the ready line.
    inputs = {k: v for k, v in image.manifest["inputs"].items() if k != "agent_sha256"}
    key = image_key(inputs)
    with contextlib.suppress(OSError, ValueError):
        verdict = json.loads(cache.read_text())
        if verdict.get("key") == key:
            return str(verdict["accel"]), f"cached: {verdict['reason']}"
    log(f"probing KVM with a real boot (at most {KVM_PROBE_TIMEOUT_S:g} s)")
    machine = Machine(image, accel="kvm")
    started = time.monotonic()
    try:
        machine.start()
        machine.wait_ready(started + KVM_PROBE_TIMEOUT_S)
        accel, reason = "kvm", f"a KVM boot reached the agent in {time.monotonic() - started:.2f} s"
    except VMError as error:
        accel, reason = "tcg", f"KVM boot failed: {error}"[:300]
    finally:
        machine.kill()
    cache.write_text(json.dumps({"key": key, "accel": accel, "reason": reason}))
    return accel, reason


def take_snapshot(image: Image, log: Log) -> dict[str, Any]:
    """Boots the image until the agent waits for a job, then saves the whole VM: as a
    template (the RAM in its own file, see TEMPLATE_RAM_NAME) unless BPFLAB_VM_TEMPLATE=0."""
    template = image.directory / TEMPLATE_RAM_NAME if TEMPLATE else None
    # The VM writes its RAM through to the file as it boots: on tmpfs that is memory
    # speed, on a disk every first touch of a page allocates a block.
    shared = _shared_ram_file(image) if template is not None else None
    machine = Machine(image, template_ram=shared)
    started = time.monotonic()
    try:
        machine.start()
        machine.qmp.handshake(started + BOOT_TIMEOUT_S)
        machine.wait_ready(started + BOOT_TIMEOUT_S)
        booted = time.monotonic() - started
        log(f"booted to the agent in {booted:.2f} s; saving the snapshot")
        saved = time.monotonic()
        machine.save_snapshot(image.snapshot, saved + BOOT_TIMEOUT_S)
        machine.kill()
        if shared is not None and template is not None:
            # sparse: free memory is zero pages (init_on_free=1), most of the 256 MiB
            _run(["cp", "--sparse=always", str(shared), str(template)])
        return {
            "boot_s": round(booted, 3),
            "save_s": round(time.monotonic() - saved, 3),
            "bytes": image.snapshot.stat().st_size,
            "template": template is not None,
            "ram_bytes": template.stat().st_blocks * 512 if template is not None else 0,
        }
    finally:
        machine.kill()
        if shared is not None:
            shared.unlink(missing_ok=True)


def snapshot_with_retry(
    image: Image, log: Log, take: Callable[[Image, Log], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """take_snapshot, with one more boot if the first did not reach the agent.

    A TCG boot of the same image failed once in many (qemu exited; the guest's console
    showed pid 1 exiting early in boot) and the next boot went through: a broken image
    fails both times, a rare boot race does not fail `make install`. The first failure
    is logged with its console."""
    take = take or take_snapshot
    try:
        return take(image, log)
    except VMError as error:
        log(f"the snapshot boot failed, booting once more: {error}")
        return take(image, log)


def _shared_ram_file(image: Image) -> Path:
    tmpfs = Path("/dev/shm")
    folder = tmpfs if tmpfs.is_dir() and os.access(tmpfs, os.W_OK) else image.directory
    return folder / f"bpflab-template-{os.getpid()}-{image.directory.name}"


# --- the build ----------------------------------------------------------------------


def build_all(
    names: Iterable[str] | None = None,
    force: bool = False,
    snapshot: bool = True,
    log: Log = print,
) -> tuple[dict[str, Image], dict[str, str]]:
    """Builds the image of each kernel (default: every kernel of the lock).

    Returns (built images, errors) by kernel name: a kernel that fails to build is
    reported and skipped, the others are still built.
    """
    wanted = list(names) if names else [kernel.name for kernel in kernels.load_lock()]
    built: dict[str, Image] = {}
    errors: dict[str, str] = {}
    apt = kernels.Apt()  # one `apt-get update` for every kernel, and only if one needs it
    for name in wanted:
        try:
            built[name] = build_image(name, force=force, snapshot=snapshot, log=log, apt=apt)
        except (RuntimeError, OSError) as error:  # ImageError, KernelError, VMError, ...
            errors[name] = str(error)
            log(f"kernel {name}: image build failed: {error}")
    if not names and not errors:
        kernels.prune_debs(
            {
                package: image.manifest["inputs"]["kernel"]["version"]
                for image in built.values()
                for package in image.manifest["inputs"]["kernel"]["packages"]
            }
        )
    return built, errors


def build_image(
    kernel: str | None = None,
    force: bool = False,
    snapshot: bool = True,
    log: Log = print,
    apt: kernels.Apt | None = None,
) -> Image:
    """Builds (or finds in the cache) the image for one kernel (default: the lock's
    default) and its current inputs; points the kernel's current at it.

    One build at a time per image folder (a lock file): a second builder waits, then
    finds the image up to date.
    """
    pinned = kernels.locked_kernel(kernel or kernels.default_kernel_name())
    IMAGE_ROOT.mkdir(parents=True, exist_ok=True)
    with open(IMAGE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(pinned, force, snapshot, _prefixed(log, pinned.name), apt)


def _prefixed(log: Log, name: str) -> Log:
    return lambda message: log(f"{name}: {message}")


def _up_to_date(kernel: kernels.Kernel, agent: Path, snapshot: bool) -> Image | None:
    """The built image of exactly these inputs, if there is one (and its snapshot)."""
    target = IMAGE_ROOT / kernel.name / image_key(collect_inputs(agent, kernel))
    existing = load_image(target)
    if existing is not None and (existing.has_snapshot() or not snapshot):
        return existing
    return None


def _build_locked(
    pinned: kernels.Kernel, force: bool, snapshot: bool, log: Log, apt: kernels.Apt | None
) -> Image:
    agent = build.agent_binary(static=True)
    apt = apt or kernels.Apt()  # its `apt-get update` runs only when a kernel needs it
    # The pinned kernel's image, when built, needs no package list: a worker joining a
    # site whose images are built starts without `apt-get update` (a minute or more).
    existing = None if force else _up_to_date(pinned, agent, snapshot)
    kernel, note = (pinned, "") if existing else kernels.usable_kernel(pinned, apt, log)
    if existing is None and not force:
        existing = _up_to_date(kernel, agent, snapshot)
    kernel_root = IMAGE_ROOT / kernel.name
    kernel_root.mkdir(parents=True, exist_ok=True)
    if existing is not None:
        log(f"image {existing.directory.name} is up to date")
        _point_current(kernel_root, existing.directory, kernel)
        return existing
    inputs = collect_inputs(agent, kernel)
    key = image_key(inputs)
    target = kernel_root / key
    staging = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=kernel_root))
    staging.chmod(0o755)  # the compile jail (user nobody) reads kernel/vmlinux.h here
    try:
        image = _build_into(staging, inputs, agent, kernel, apt, log)
        image.manifest["kernel_note"] = note
        if snapshot:
            image.manifest["snapshot"] = snapshot_with_retry(image, log)
        _write_manifest(image)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    previous = (kernel_root / CURRENT_LINK_NAME).resolve()
    _point_current(kernel_root, target, kernel)
    _prune(kernel_root, keep={target.name, previous.name})
    built = load_image(target)
    assert built is not None
    log(f"image {key} built in {target}")
    return built


def _build_into(
    directory: Path,
    inputs: dict[str, Any],
    agent: Path,
    kernel: kernels.Kernel,
    apt: kernels.Apt,
    log: Log,
) -> Image:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bpflab-kernel-") as workdir:
        log(f"fetching {', '.join(p.name for p in kernel.packages)} {kernel.version}")
        root = kernels.fetch(kernel, Path(workdir), log=log, apt=apt).root
        module_dir = _module_dir(root)
        bzimage, config = _kernel_files(root, module_dir)
        kernel_file = "vmlinux" if unpack_vmlinux(bzimage, config, directory / "vmlinux") else ""
        if not kernel_file:
            kernel_file = "vmlinuz"
            shutil.copyfile(bzimage, directory / kernel_file)
        how = "PVH entry, no decompression at boot" if kernel_file == "vmlinux" else "bzImage"
        log(f"kernel: {module_dir.name}, {kernel_file} ({how})")
        _write_kernel_headers(directory, bzimage, log)
        modules = modules_in_load_order(module_dir, GUEST_MODULES)
        log("modules: " + " ".join(module_name(module) for module in modules))
        warm_up = warm_up_object() if WARM_UP else b""
        (directory / "initrd.cpio").write_bytes(initramfs(agent, modules, warm_up))
    image = Image(
        directory=directory,
        manifest={
            "key": image_key(inputs),
            "inputs": inputs,
            "release": module_dir.name,
            "cmdline": inputs["cmdline"],
            "kernel": kernel_file,
            "accel": "tcg",
            "modules": [f"{module_name(module)}.ko" for module in modules],
            "initrd_bytes": (directory / "initrd.cpio").stat().st_size,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "snapshot": None,
        },
    )
    accel, reason = choose_accel(image, log)
    log(f"accelerator: {accel} ({reason})")
    image.manifest.update(accel=accel, accel_reason=reason)
    image.manifest["build_s"] = round(time.monotonic() - started, 3)
    _write_manifest(image)
    return image


def _write_kernel_headers(directory: Path, bzimage: Path, log: Log) -> None:
    """This kernel's vmlinux.h and its PCH, from the BTF in the ELF kernel."""
    started = time.monotonic()
    elf = directory / "vmlinux"
    scratch = directory / ".vmlinux-for-btf"
    if not elf.exists():
        vmlinux = _decompress(_bzimage_payload(bzimage.read_bytes()))
        if vmlinux is None or vmlinux[:4] != b"\x7fELF":
            log("kernel headers: cannot unpack the kernel for its BTF; no vmlinux.h")
            return
        scratch.write_bytes(vmlinux)
        elf = scratch
    try:
        kernel_headers.prepare(elf, directory / "kernel")
    finally:
        scratch.unlink(missing_ok=True)
    log(f"kernel headers: vmlinux.h and its PCH in {time.monotonic() - started:.1f} s")


def _module_dir(root: Path) -> Path:
    """/lib/modules/<release> (6.1) or /usr/lib/modules/<release> (6.12 on)."""
    found = sorted(root.glob("lib/modules/*")) + sorted(root.glob("usr/lib/modules/*"))
    found = [path for path in found if path.is_dir()]
    if not found:
        raise ImageError("the kernel packages hold no lib/modules/<release>")
    return found[0]


def _kernel_files(root: Path, module_dir: Path) -> tuple[Path, list[Path]]:
    """The bzImage and the kernel config: in /boot up to 6.12, beside the modules from the
    split packages on (linux-binary-*: vmlinuz, linux-base-*: config)."""
    bzimages = sorted((root / "boot").glob("vmlinuz-*")) + [module_dir / "vmlinuz"]
    bzimage = next((path for path in bzimages if path.exists()), None)
    if bzimage is None:
        raise ImageError("the kernel packages hold no vmlinuz")
    configs = sorted((root / "boot").glob("config-*")) + [module_dir / "config"]
    return bzimage, [path for path in configs if path.exists()]


def _write_manifest(image: Image) -> None:
    path = image.directory / "manifest.json"
    path.write_text(json.dumps(image.manifest, indent=2, sort_keys=True) + "\n")


def _point_current(kernel_root: Path, target: Path, kernel: kernels.Kernel) -> None:
    _symlink(kernel_root / CURRENT_LINK_NAME, target.name)
    if kernel.default:
        _symlink(IMAGE_ROOT / CURRENT_LINK_NAME, f"{kernel_root.name}/{target.name}")


def _symlink(link: Path, target: str) -> None:
    temporary = link.parent / f".current-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    temporary.replace(link)  # atomic: a run never sees no image


def _prune(kernel_root: Path, keep: set[str]) -> None:
    """Removes older images (keeping the new and the previous one, which a run may use).

    Images of the single-kernel layout (var/sandbox/image/<key>) go too, with its cache."""
    shutil.rmtree(IMAGE_ROOT / "debs", ignore_errors=True)
    (IMAGE_ROOT / "kvm-probe.json").unlink(missing_ok=True)
    for entry in [*kernel_root.iterdir(), *IMAGE_ROOT.iterdir()]:
        is_image = entry.is_dir() and not entry.is_symlink() and not entry.name.startswith(".")
        stale = entry.parent == IMAGE_ROOT or entry.name not in keep
        if is_image and stale and (entry / "manifest.json").exists():
            shutil.rmtree(entry, ignore_errors=True)


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ImageError(
            f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
        )
    return proc


# --- CLI ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox image", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser = sub.add_parser("build", help="build the VM images and snapshots (cached)")
    build_parser.add_argument(
        "--kernel", action="append", help="only this kernel (repeatable; default: every one)"
    )
    build_parser.add_argument("--force", action="store_true", help="rebuild even when cached")
    build_parser.add_argument("--no-snapshot", action="store_true", help="skip the snapshot")
    info_parser = sub.add_parser("info", help="print a kernel's image manifest as JSON")
    info_parser.add_argument("--kernel", help="default: the default kernel")
    sub.add_parser("list", help="the kernels with a built image, as JSON")
    args = parser.parse_args(argv)
    if args.command == "list":
        images = built_kernels()
        print(json.dumps({name: image.kernel_release for name, image in images.items()}))
        return 0
    if args.command == "info":
        image = current_image(kernel=args.kernel)
        if image is None:
            print("no VM image: run `python -m sandbox image build`", file=sys.stderr)
            return 1
        print(json.dumps({"directory": str(image.directory), **image.manifest}, indent=2))
        return 0
    built, errors = build_all(
        args.kernel, force=args.force, snapshot=not args.no_snapshot, log=_log
    )
    for name, error in errors.items():
        print(f"kernel {name}: not built: {error}", file=sys.stderr)
    _log("kernels built: " + (", ".join(built) or "none"))
    default = kernels.default_kernel_name()
    # The site needs its default kernel; another one that did not build is left out.
    return 1 if not built or (not args.kernel and default in errors) else 0


def _log(message: str) -> None:
    print(f"[image] {message}", file=sys.stderr, flush=True)
