"""Compiler messages become structured diagnostics that point at the learner's line."""

from __future__ import annotations

from sandbox.compile import compile_source

BROKEN = """\
#include <linux/bpf.h>

int count(struct xdp_md *ctx)
{
    return undeclared_thing + 1;
}
"""


def test_it_points_an_error_at_its_line_and_column():
    result = compile_source(BROKEN)

    assert not result.ok
    assert result.object is None
    assert result.disassembly == ""
    error = result.diagnostics[0]
    assert (error.file, error.line, error.column) == ("prog.c", 5, 12)
    assert error.severity == "error"
    assert "undeclared_thing" in error.message
    assert error.source_line == "    return undeclared_thing + 1;"


def test_it_leaves_error_empty_when_diagnostics_explain_the_failure():
    result = compile_source(BROKEN)

    assert result.error is None
    assert "prog.c:5:12: error:" in result.output


def test_it_includes_notes_and_warnings_with_their_own_lines():
    result = compile_source("int a;\nfloat a;\n#warning careful\n")

    found = [(d.severity, d.line, d.column, d.source_line) for d in result.diagnostics]
    assert ("error", 2, 7, "float a;") in found
    assert ("note", 1, 5, "int a;") in found
    assert ("warning", 3, 2, "#warning careful") in found


def test_it_reports_a_missing_header_as_fatal():
    result = compile_source("#include <linux/no_such_header.h>\n")

    assert [(d.severity, d.line, d.column) for d in result.diagnostics] == [("fatal", 1, 10)]


def test_it_never_shows_the_host_temp_path():
    result = compile_source('#include "missing.h"\nint x = ;\n')

    assert "bpflab-compile-" not in result.output
    assert {d.file for d in result.diagnostics} == {"prog.c"}
