"""The grader keeps the disassembly off the way to the verdict: the compile event comes
with an empty disassembly, and one `disassembly` event carries the text later, before
the verdict and never between a run and the check it decides (real clang, objdump and
kernel: the local backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labs.grading import grade
from labs.spec import load_lab_by_slug
from sandbox.backends.local import LocalBackend

CONTENT = Path(__file__).resolve().parent.parent / "content"

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")


def graded(slug: str, source: str | None = None) -> list[dict[str, Any]]:
    lab = load_lab_by_slug(CONTENT, slug)
    events: list[dict[str, Any]] = []
    grade(lab, lab.solution if source is None else source, on_event=events.append)
    return events


def test_it_sends_the_disassembly_once_after_compile_and_before_the_verdict() -> None:
    events = graded("xdp-drop-all")
    kinds = [e["event"] for e in events]

    compile_event = events[kinds.index("compile")]
    assert compile_event["ok"] and compile_event["disassembly"] == ""
    assert kinds.count("disassembly") == 1
    assert kinds.index("compile") < kinds.index("disassembly") < kinds.index("verdict")
    text = events[kinds.index("disassembly")]["text"]
    assert "file format elf64-bpf" in text and "exit" in text
    at = kinds.index("disassembly")
    assert kinds[at + 1] != "check", "not between a run's result and its check"


def test_it_sends_no_disassembly_when_the_program_does_not_compile() -> None:
    events = graded("xdp-drop-all", "int main(void) { return XDP_DROP }\n")

    assert "disassembly" not in [e["event"] for e in events]
    assert events[-1]["event"] == "verdict"
