"""The compiler sees nothing of the host: every way clang can open a file by name
(#include, __has_include, .incbin, #line + objdump -S) finds nothing outside /usr.

Each probe has a control that reads a file under /usr the same way, so a probe that
finds nothing proves the jail, not a broken probe."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.compile import compile_source

VISIBLE = "/usr/include/linux/in.h"


@pytest.fixture
def secret_file() -> Iterator[Path]:
    """A world-readable file outside /usr holding a fresh secret."""
    path = Path("/var/tmp") / f"bpflab-probe-{secrets.token_hex(8)}"
    path.write_text(f"SECRET-{secrets.token_hex(16)}\n")
    path.chmod(0o644)
    yield path
    path.unlink()


def host_file_probes(secret: Path) -> list[str]:
    return [
        "/etc/passwd",
        "/etc/shadow",
        "/etc/hostname",
        "/proc/self/environ",
        "/proc/version",
        "/dev/stdin",
        "/root/.bashrc",
        str(secret),
        __file__,  # the repo, wherever it is checked out
    ]


def leaked_text(result, secret: Path) -> list[str]:
    hostname = Path("/etc/hostname").read_text().strip()
    texts = [
        "root:x:0:0",
        # A short hostname ("vm") is found by chance in any object; the secret file
        # is the strong probe, the hostname only when it is distinctive.
        hostname if len(hostname) >= 8 else "",
        secret.read_text().strip(),
        "host_file_probes",
    ]
    blob = (result.output + result.disassembly).encode() + (result.object or b"")
    return [t for t in texts if t and t.encode() in blob]


def test_it_hides_host_files_from_include(secret_file):
    for path in host_file_probes(secret_file):
        result = compile_source(f'#include "{path}"\n')

        assert not result.ok, path
        assert "file not found" in result.diagnostics[0].message, path
        assert leaked_text(result, secret_file) == [], path


def test_it_hides_host_files_from_has_include(secret_file):
    for path in host_file_probes(secret_file):
        quoted = f'__has_include("{path}")'
        angled = f"__has_include(<{path}>)"
        source = f"#if {quoted} || {angled}\n#error found {path}\n#endif\nint x;\n"

        result = compile_source(source)

        assert result.ok, result.output


def test_it_hides_host_files_from_incbin(secret_file):
    for path in host_file_probes(secret_file):
        source = f'asm(".section .rodata\\n.incbin \\"{path}\\"");\nint x;\n'

        result = compile_source(source)

        assert leaked_text(result, secret_file) == [], path
        assert result.object is None, path


def test_it_hides_host_files_from_the_disassembly(secret_file):
    # objdump -S opens the file the DWARF names; #line lets the learner pick it.
    for path in host_file_probes(secret_file):
        result = compile_source(f'#line 1 "{path}"\nint add_one(int a) {{ return a + 1; }}\n')

        assert result.ok, result.output
        assert leaked_text(result, secret_file) == [], path


def test_it_still_reads_usr_through_the_same_probes():
    expected = Path(VISIBLE).read_bytes()

    included = compile_source(f'#include "{VISIBLE}"\nint x;\n')
    probed = compile_source(f'#if !__has_include("{VISIBLE}")\n#error\n#endif\nint x;\n')
    embedded = compile_source(f'asm(".section .rodata\\n.incbin \\"{VISIBLE}\\"");\nint x;\n')

    assert included.ok, included.output
    assert probed.ok, probed.output
    assert embedded.object is not None and expected in embedded.object
