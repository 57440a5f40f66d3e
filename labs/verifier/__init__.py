"""Everything bpflab knows about why a program did not load, in one place.

`analyse(log, obj)` reads the log of a failed load: which kind of failure it is (the
table in `labs.verifier.kinds`), the complaint, the failing instruction, and the source
line, from the log's `@ prog.c:N` or, where the kernel prints none, from the object's
BTF line info. The learner's panel (through the load event), the grader's words, the
instructors' dashboard and `manage.py grade --json` all read it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from labs.verifier.kinds import (
    BY_KEY,
    KINDS,
    LOAD_ERROR,
    LOADER,
    LOADER_KINDS,
    NO_LOG,
    OTHER,
    VERIFIER,
    VERIFIER_KINDS,
    Kind,
)
from labs.verifier.objfile import ObjectLines, read_object

__all__ = ["KINDS", "LOADER", "VERIFIER", "Kind", "Rejection", "analyse", "classify", "kind"]

INSTRUCTION = re.compile(r"^\s*(\d+): \([0-9a-f]{2}\)")
# Lines that end a complaint when read backwards: an instruction, a state dump of one,
# a branch's state, or a source line.
STEP = re.compile(r"^\s*\d+: |^from \d+ to \d+: |^; ")
SOURCE_REF = re.compile(r" @ ([^:\s]+):(\d+)$")
PROCESSED = re.compile(r"^processed \d+ insns")
NOISE = re.compile(
    r"^(\s*$|libbpf: |verification time|stack depth|-- |mark_precise|cur state|old state"
    r"|func#|last_idx|regs=|parent didn't have regs|Validating )"
)
FAILED_PROG = re.compile(r"^libbpf: prog '([^']+)': (BPF program load failed|failed to load)")
LIBBPF_PROG_LINE = re.compile(r"^libbpf: (prog '[^']+': (?!failed to load|BPF program load).*)$")
LIBBPF_LINE = re.compile(r"^libbpf: (.+)$")
# 7.3 follows its classic complaint with an explained report:
#   Verification failed: <category>\n\nReason:\n  ...\n\nAt:\n  prog @ prog.c:9:12 ...
#   \n\nSuggestion:\n  ...
REPORT_START = re.compile(r"^Verification failed: (.+)$")
REPORT_SECTION = re.compile(r"^(Reason|At|Causal path|Suggestion):$")
REPORT_AT = re.compile(r"^\s+\S+ @ [^:\s]+:(\d+):(\d+)$")


@dataclass
class Rejection:
    """Why a load failed, as data; words are made from it in the reader's language."""

    kind: Kind
    message: str = ""  # the verifier's (or libbpf's) own words, never translated
    line: int | None = None  # in prog.c
    name: str | None = None  # the function (or map) a loader failure names
    section: str | None = None  # the unknown section a bad_section failure names
    log_lines: dict[str, int] = field(default_factory=dict)  # complaint/insn/source -> index
    # the kernel's own explanation (7.3 on): {category, reason, suggestion, line, column}
    report: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "class": self.kind.key,
            "by": self.kind.by,
            "message": self.message,
            "line": self.line,
            "name": self.name,
            "section": self.section,
            "log_lines": self.log_lines,
            "report": self.report,
        }


def kind(key: str | None) -> Kind:
    return BY_KEY.get(key or "", OTHER)


def classify(log: str) -> Kind:
    return analyse(log).kind


def analyse(log: str, obj: bytes | None = None) -> Rejection:
    """What a failed load's log says; `obj` (the object file) supplies the source line
    when the log has none."""
    lines = log.split("\n")
    objfile = read_object(obj) if obj else None
    loader = _loader_failure(lines, objfile)
    if loader is not None:
        return loader
    report_at, report = kernel_report(lines)
    if report is not None:
        rejection = _verifier_rejection(lines, report_at, objfile)
        rejection.report = report
        rejection.line = rejection.line or report["line"]
        return rejection
    end = next((i for i, line in enumerate(lines) if PROCESSED.match(line)), len(lines))
    return _verifier_rejection(lines, end, objfile)


def _verifier_rejection(lines: list[str], end: int, objfile: ObjectLines | None) -> Rejection:
    """The complaint the verifier wrote last before line `end`."""
    block = _complaint_block(lines, end)
    if not block:
        # the verifier said something, but no complaint (a summary line alone is a log of
        # a load that went through, as stored for a program the lab refused)
        if any(not NOISE.match(line) and not PROCESSED.match(line) for line in lines):
            return Rejection(OTHER, log_lines=_indexes(lines, end, end))
        if any(line.startswith("libbpf:") for line in lines):
            return Rejection(LOAD_ERROR, _libbpf_detail(lines))
        return Rejection(NO_LOG)
    texts = [lines[i].strip() for i in block]
    found = next(
        (k for k in VERIFIER_KINDS if k.pattern and any(k.pattern.search(t) for t in texts)),
        OTHER,
    )
    indexes = _indexes(lines, block[0], end)
    return Rejection(
        found,
        " / ".join(texts),
        _source_line(lines, indexes, objfile),
        log_lines=indexes,
    )


def kernel_report(lines: list[str]) -> tuple[int, dict[str, Any] | None]:
    """(where it starts, its parts) of the explained report newer kernels (7.3) print after
    the complaint; (-1, None) when the log has none."""
    start = next((i for i, line in enumerate(lines) if REPORT_START.match(line)), -1)
    if start < 0:
        return -1, None
    sections: dict[str, list[str]] = {}
    current = ""
    for line in lines[start + 1 :]:
        if PROCESSED.match(line) or line.startswith("libbpf:"):
            break
        heading = REPORT_SECTION.match(line)
        if heading:
            current = heading.group(1)
            sections.setdefault(current, [])
        elif current and line.strip():
            sections[current].append(line)
    at = next(filter(None, map(REPORT_AT.match, sections.get("At", []))), None)
    category = REPORT_START.match(lines[start])
    assert category is not None
    return start, {
        "category": category.group(1).strip(),
        "reason": " ".join(line.strip() for line in sections.get("Reason", [])),
        "suggestion": " ".join(line.strip() for line in sections.get("Suggestion", [])),
        "line": int(at.group(1)) if at else None,
        "column": int(at.group(2)) if at else None,
    }


def _complaint_block(lines: list[str], end: int) -> list[int]:
    """The indexes of the last lines before `end` after the last instruction or source
    line, noise left out: what the verifier said when it gave up."""
    block: list[int] = []
    for i in range(end - 1, -1, -1):
        if STEP.match(lines[i]):
            break
        if not NOISE.match(lines[i]):
            block.insert(0, i)
    return block


def _indexes(lines: list[str], complaint: int, end: int) -> dict[str, int]:
    insn = _backwards(lines, complaint, lambda line: bool(INSTRUCTION.match(line)))
    source = _backwards(lines, insn if insn >= 0 else complaint, lambda line: line.startswith("; "))
    result = {"insn": insn, "source": source}
    if complaint < end:
        result["complaint"] = complaint
    return {key: value for key, value in result.items() if value >= 0}


def _backwards(lines: list[str], before: int, test: Any) -> int:
    return next((i for i in range(before - 1, -1, -1) if test(lines[i])), -1)


def _source_line(
    lines: list[str], indexes: dict[str, int], objfile: ObjectLines | None
) -> int | None:
    if "source" in indexes:
        match = SOURCE_REF.search(lines[indexes["source"]])
        if match:
            return int(match.group(2))
    if objfile is None or "insn" not in indexes:
        return None
    program = _failed_program(lines, objfile)
    number = INSTRUCTION.match(lines[indexes["insn"]])
    if program is None or number is None:
        return None
    return objfile.line_of(program, int(number.group(1)))


def _failed_program(lines: list[str], objfile: ObjectLines) -> Any:
    for line in lines:
        match = FAILED_PROG.match(line)
        if match and objfile.function(match.group(1)):
            return objfile.function(match.group(1))
    programs = objfile.programs()
    return programs[0] if programs else None


def _loader_failure(lines: list[str], objfile: ObjectLines | None) -> Rejection | None:
    """A failure before the verifier ran (libbpf could not open or relocate the object)."""
    for loader in LOADER_KINDS:
        assert loader.pattern is not None
        for line in lines:
            match = loader.pattern.search(line) if line.startswith("libbpf:") else None
            if match:
                name, section = match.groupdict().get("name"), match.groupdict().get("section")
                detail = line.removeprefix("libbpf: ").strip()
                line_number = _line_of_name(loader, name, objfile)
                return Rejection(loader, detail, line_number, name, section=section)
    return None


def _line_of_name(loader: Kind, name: str | None, objfile: ObjectLines | None) -> int | None:
    """Where the object calls the unknown function, or where the unsectioned one starts."""
    if objfile is None or name is None:
        return None
    if loader.key in ("unknown_function", "missing_kfunc"):
        for (section, offset), symbol in sorted(objfile.relocations.items()):
            if symbol.name == name:
                return objfile.line_at(section, offset)
        return None
    function = objfile.function(name)
    return objfile.line_at(function.section, function.offset) if function else None


def _libbpf_detail(lines: list[str]) -> str:
    for pattern in (LIBBPF_PROG_LINE, LIBBPF_LINE):
        found = next((m.group(1) for m in map(pattern.match, lines) if m), None)
        if found:
            return found.strip()
    return ""


# -- words, in the active language --------------------------------------------------------


def explanations() -> dict[str, str]:
    """What each kind usually means, for the learner's panel."""
    return {k.key: str(k.explanation) for k in KINDS if k.explanation is not None}


def label(key: str | None) -> str:
    return str(kind(key).label)


def reason(rejection: dict[str, Any], error: str | None = None) -> str:
    """Why the program did not load, in a clause: `the verifier rejected it at prog.c:6: ...`."""
    found = kind(rejection.get("class"))
    message, line, name = (
        rejection.get("message") or "",
        rejection.get("line"),
        rejection.get("name"),
    )
    if found.by == VERIFIER and message:
        if line:
            words = _("the verifier rejected it at %(where)s: %(complaint)s")
            said = words % {"where": f"prog.c:{line}", "complaint": message}
        else:
            said = _("the verifier rejected it: %(complaint)s") % {"complaint": message}
        return _with_suggestion(said, rejection.get("report"))
    if found.key == "no_section" and name:
        words = _(
            "function '%(function)s' is not in a program section: put "
            'SEC("...") before it, or make it static if it is a helper'
        )
        return words % {"function": name}
    if found.key == "bad_section" and name:
        words = _(
            "function '%(function)s' is in SEC(\"%(section)s\"), a section name that names no "
            "program type libbpf knows (misspelled?); the verifier never ran"
        )
        return words % {"function": name, "section": rejection.get("section") or "?"}
    if found.key == "map_refused" and name:
        words = _(
            "the kernel would not create map %(map)s (%(detail)s); the program was never "
            "loaded and the verifier never ran"
        )
        return words % {"map": name, "detail": message.rpartition(": ")[2] or message}
    if found.key == "missing_kfunc" and name:
        where = _("prog.c:%(line)s calls %(name)s") % {"line": line, "name": name} if line else name
        words = _(
            "%(where)s: this kernel has no kernel function %(name)s (it came with another "
            "kernel version); the verifier never ran"
        )
        return words % {"where": where, "name": name}
    if found.key == "unknown_function" and name:
        if line:
            words = _(
                "prog.c:%(line)s calls %(name)s, which is neither a BPF helper nor a function "
                "of your file (a misspelled helper?); the verifier never ran"
            )
            return words % {"line": line, "name": name}
        words = _(
            "%(name)s is neither a BPF helper nor a function of your file (a misspelled "
            "helper?); the verifier never ran"
        )
        return words % {"name": name}
    why = error or _("rejected")
    if message:
        return _("the program did not load: %(reason)s (%(detail)s)") % {
            "reason": why,
            "detail": message,
        }
    return _("the program did not load: %(reason)s") % {"reason": why}


def _with_suggestion(said: str, report: dict[str, Any] | None) -> str:
    """The kernel's own suggestion (7.3 on), in its words, after ours."""
    if not report or not report.get("suggestion"):
        return said
    words = _("%(reason)s (the kernel suggests: %(suggestion)s)")
    return words % {"reason": said, "suggestion": report["suggestion"].rstrip(".")}
