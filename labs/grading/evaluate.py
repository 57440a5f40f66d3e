"""Sandbox events -> check results, decided as soon as the events that settle them arrive.

The Evaluator is fed every sandbox event in order. A packet check is decided by its
test_run result (its trace lines arrive before that result), a map check by its dump,
a trigger check by the trace op after the trigger. When the run ends, every check not
decided yet fails as not run, with its reason: a check never passes because nothing ran.
What a check expected and found is kept as phrases (labs.grading.words), not words.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from labs import packets, values, verifier
from labs.grading import tracing, words
from labs.grading.jobs import LOAD_OP, JobLayout, fill, run_op_id
from labs.grading.verdicts import CheckResult
from labs.grading.words import Phrase, all_of, any_of, phrase, quoted
from labs.spec import ACTIONS_BY_TYPE, Check, LabSpec, MapSpec

# Program types the agent may report, per lab program_type (libbpf/bpftool spellings).
PROGRAM_TYPE_NAMES = {
    "xdp": {"xdp"},
    "tc": {"sched_cls", "sched_act", "tc", "classifier"},
    "tracepoint": {"tracepoint"},
    "kprobe": {"kprobe"},
    "tracing": {"tracing"},
    "socket": {"socket_filter"},
}


def action_name(program_type: str, retval: int) -> str:
    """The action's name (`XDP_DROP`), or `unknown action N` in the active language."""
    return words.say(action_phrase(program_type, retval))


def action_phrase(program_type: str, retval: int) -> Phrase:
    if retval >= 2**31:  # TC actions are signed (TC_ACT_UNSPEC = -1); retval is a u32
        retval -= 2**32
    for name, value in ACTIONS_BY_TYPE.get(program_type, {}).items():
        if value == retval:
            return name
    return phrase("unknown_action", retval=retval)


def trace_message(event: dict[str, Any]) -> str:
    """The printed text of a trace event, without the newline bpf_printk users often add."""
    message = event.get("message")
    if message is None:
        line = str(event.get("line", ""))
        message = line.split("bpf_trace_printk: ", 1)[-1]
    return str(message).rstrip("\r\n")


def load_reason(event: dict[str, Any]) -> dict[str, Any]:
    """Why the checks of a failed load are not run, as data."""
    if event.get("time_limit"):  # the verifier ran past its CPU time: no rejection to read
        return {"code": words.TIME_LIMIT, **event["time_limit"], "rejection": None}
    return {"code": words.LOAD, "rejection": rejection_of(event), "error": event.get("error")}


def rejection_of(event: dict[str, Any]) -> dict[str, Any]:
    """The analysis of a failed load: the grader's (carried by the event), or made here."""
    found = event.get("rejection")
    if found is None:
        found = verifier.analyse(str(event.get("verifier_log") or "")).to_dict()
    return dict(found)


# The licenses the kernel counts as GPL-compatible (include/linux/license.h): CURRICULUM.md
# asks every lab's object for one, whether or not it calls a GPL-only helper.
GPL_COMPATIBLE = (
    "GPL",
    "GPL v2",
    "GPL and additional rights",
    "Dual BSD/GPL",
    "Dual MIT/GPL",
    "Dual MPL/GPL",
)


def license_problem(event: dict[str, Any]) -> dict[str, Any] | None:
    """Why a loaded object's license section does not do, as data, or None (also when the
    load event does not say: only the grader reads the object's license)."""
    if "license" not in event:
        return None
    text = event["license"]
    if text in GPL_COMPATIBLE:
        return None
    return {"code": words.PROGRAM, "problem": "license", "license": text}


def program_problem(lab: LabSpec, programs: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Why the loaded object does not fit the lab (count, section, type), as data, or None."""
    problem = {"code": words.PROGRAM}
    if len(programs) != lab.programs:
        names = [str(p.get("name")) for p in programs]
        return {
            **problem,
            "problem": "count",
            "wanted": lab.programs,
            "count": len(programs),
            "names": names,
        }
    names = sorted(str(p.get("name")) for p in programs)
    if lab.program_names and names != sorted(lab.program_names):
        return {**problem, "problem": "names", "wanted": list(lab.program_names), "names": names}
    sections = sorted(str(p.get("section", "")) for p in programs)
    if lab.section_per_program and sections != sorted(lab.sections):
        return {
            **problem,
            "problem": "sections",
            "wanted": list(lab.sections),
            "sections": sections,
        }
    for program in programs:
        section = str(program.get("section", ""))
        name = program.get("name")
        if section not in lab.sections:
            return {
                **problem,
                "problem": "section",
                "name": name,
                "section": section,
                "wanted": lab.section,
            }
        kind = str(program.get("type", "")).lower().removeprefix("bpf_prog_type_")
        if kind and kind not in PROGRAM_TYPE_NAMES[lab.program_type]:
            return {
                **problem,
                "problem": "type",
                "name": name,
                "kind": kind,
                "wanted": lab.program_type,
            }
    return None


def map_definition_problems(spec: MapSpec, found: dict[str, Any] | None) -> list[Phrase]:
    """How a loaded map differs from what the lab requires, as phrases."""
    if found is None:
        return [phrase("no_map", name=spec.name)]
    problems = []
    kind = str(found.get("type", ""))
    if kind not in spec.types:
        problems.append(phrase("map_type", expected=any_of(spec.types), actual=kind))
    for attr in ("key_size", "value_size"):
        want, got = getattr(spec, attr), found.get(attr)
        if want != got:
            problems.append(phrase("map_size", field=attr, expected=want, actual=got))
    entries = found.get("max_entries")
    if spec.max_entries is not None and entries != spec.max_entries:
        problems.append(phrase("max_entries", expected=spec.max_entries, actual=entries))
    if spec.min_entries is not None and (entries or 0) < spec.min_entries:
        problems.append(phrase("min_entries", expected=spec.min_entries, actual=entries))
    flags = int(found.get("flags") or 0)
    if flags & spec.flags != spec.flags:
        problems.append(phrase("map_flags", expected=f"{spec.flags:#x}", actual=f"{flags:#x}"))
    return problems


KIND_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "be16": 2, "be32": 4, "ipv4": 4}


def key_kinds(check: Check) -> list[str]:
    """The field kinds of the check's keys, used to print any key the same way."""
    if not check.entries:
        return []
    return [kind for kind, _value in values.fields_of(check.entries[0].key, "u32")]


def _key_words(key: bytes, kinds: list[str]) -> str:
    """A key in the form the lab writes it: `17`, `192.0.2.1`, `24/192.0.2.0`."""
    if not kinds or sum(KIND_SIZES.get(k, 0) for k in kinds) != len(key) or "hex" in kinds:
        return f"0x{key.hex()}"
    parts, offset = [], 0
    for kind in kinds:
        chunk = key[offset : offset + KIND_SIZES[kind]]
        offset += len(chunk)
        if kind == "ipv4":
            parts.append(str(ipaddress.IPv4Address(chunk)))
        else:
            parts.append(str(int.from_bytes(chunk, "big" if kind.startswith("be") else "little")))
    return "/".join(parts)


def _dump_values(dump: dict[str, Any]) -> dict[bytes, int]:
    """key bytes -> value as an integer; per-CPU values summed."""
    result: dict[bytes, int] = {}
    for entry in dump.get("entries") or []:
        key = bytes.fromhex(entry["key"])
        if "values" in entry:
            total = sum(values.unpack_int(bytes.fromhex(v)) for v in entry["values"])
        else:
            total = values.unpack_int(bytes.fromhex(entry["value"]))
        result[key] = total
    return result


class Evaluator:
    """Feeds on sandbox events; calls `emit` with a check event as each check is decided."""

    def __init__(
        self, lab: LabSpec, layout: JobLayout, emit: Callable[[dict[str, Any]], None]
    ) -> None:
        self.lab, self.layout, self.emit = lab, layout, emit
        self.results: dict[str, CheckResult] = {}
        self.trace: dict[str | None, list[str]] = {}
        self.trace_by_pid: dict[int, list[str]] = {}
        self.records: list[dict[str, Any]] = []
        self.trace_lines: list[str] = []
        self.load: dict[str, Any] | None = None
        self.rejection: dict[str, Any] | None = None
        self.load_reason: dict[str, Any] | None = None  # why no check runs (words.*)
        self.seed_reason: dict[str, Any] | None = None
        self.runs_ok = 0
        self.attach_problem: Phrase = None
        self.triggers: dict[str, dict[str, Any]] = {}
        self.sandbox_error: dict[str, Any] | None = None  # a words.SANDBOX_ERROR failure
        self.differences: dict[str, list[dict[str, Any]]] = {}  # check -> output frame's
        self.checks_by_op = {op: name for name, op in layout.check_ops.items()}
        self.by_name = {c.name: c for c in lab.checks}

    # -- feeding ----------------------------------------------------------------------

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "trace":
            self.trace.setdefault(event.get("op"), []).append(trace_message(event))
            if isinstance(event.get("pid"), int):
                self.trace_by_pid.setdefault(event["pid"], []).append(trace_message(event))
            self.trace_lines.append(str(event.get("line") or trace_message(event)))
        elif kind == "record":
            self.records.append(event)
        elif kind == "load" and event.get("id", LOAD_OP) == LOAD_OP:
            self._on_load(event)
        elif kind in ("map_update", "map_delete") and not event.get("ok"):
            seed = {"code": words.SEED, "error": event.get("error")}
            self.seed_reason = self.seed_reason or seed
        elif kind == "attach" and not event.get("ok"):
            self.attach_problem = phrase("attach_failed", error=event.get("error"))
        elif kind == "trigger":
            self.triggers[str(event.get("id"))] = event
        elif kind == "error":
            detail = str(event.get("message") or "")
            self.sandbox_error = words.failure(words.SANDBOX_ERROR, detail=detail)
        elif kind in ("test_run", "map_dump"):
            self._on_result(event)
        elif kind == "done":
            self._on_done()

    def _on_done(self) -> None:
        """Trigger checks: the trace op has no result event, so they settle at the end."""
        if self.load_problem:
            return
        for check in self.lab.checks:
            if check.kind == "trigger" and check.name not in self.results:
                trigger = self.triggers.get(self.layout.trace_ops[check.name][0])
                if self.attach_problem or trigger is not None:
                    self._decide(check, *self._trigger_outcome(check, trigger))

    def _on_load(self, event: dict[str, Any]) -> None:
        self.load = event
        if not event.get("ok"):
            self.load_reason = load_reason(event)
            self.rejection = self.load_reason["rejection"]
            return
        self.load_reason = program_problem(
            self.lab, list(event.get("programs") or [])
        ) or license_problem(event)

    @property
    def load_problem(self) -> dict[str, Any] | None:
        """Why no check runs, as data (None: the object loaded and fits the lab)."""
        return self.load_reason

    def _on_result(self, event: dict[str, Any]) -> None:
        op_id = event.get("id")
        if event.get("event") == "test_run" and event.get("ok"):
            name = self.checks_by_op.get(str(op_id))
            self.runs_ok += self.by_name[name].repeat if name else 1
        name = self.checks_by_op.get(str(op_id))
        if name is None or name in self.results:
            return
        check = self.by_name[name]
        if self.load_problem:
            return  # decided at the end, as not run
        if check.kind == "packet" and self.seed_reason:
            expected = self._packet_expected(check)
            not_run = phrase("not_run", reason=self.seed_reason)
            self._decide(check, False, expected, not_run, self.seed_reason)
        elif check.kind == "packet":
            self._decide(check, *self._packet_outcome(check, event))
        elif check.kind == "map":
            self._decide(check, *self._map_outcome(check, event))

    def _decide(
        self,
        check: Check,
        passed: bool,
        expected: Phrase,
        actual: Phrase,
        reason: dict[str, Any] | None = None,
    ) -> None:
        result = CheckResult(
            check.name, passed, expected, actual, dict(check.describe), reason=reason
        )
        if check.output is not None and self.differences.get(check.name):
            result.differences = self.differences[check.name]
        self.results[check.name] = result
        self.emit(result.to_event())

    # -- packet checks ----------------------------------------------------------------

    def _packet_expected(self, check: Check) -> Phrase:
        parts: list[Phrase] = [check.action or ""]
        if check.keep is not None:
            parts = [_socket_expected(check)]
        if check.output is not None:
            if check.output == check.frame:
                parts.append(phrase("frame_unchanged"))
            else:
                parts.append(phrase("frame_rewritten", changes=_changes(check.output, check.frame)))
        if check.trace is not None:
            lines = quoted(self._expected_lines(check))
            if check.repeat == 1:
                parts.append(phrase("prints", lines=lines))
            else:
                parts.append(phrase("prints_each_run", lines=lines, runs=check.repeat))
        return all_of(parts)

    def _expected_lines(self, check: Check) -> list[str]:
        context = check.placeholders()
        return [line.format(**context) for line in check.trace or ()]

    def _packet_outcome(self, check: Check, event: dict[str, Any]) -> tuple[bool, Phrase, Phrase]:
        expected = self._packet_expected(check)
        if not event.get("ok"):
            error = event.get("error") or phrase("error")
            return False, expected, phrase("test_run_failed", error=error)
        problems: list[Phrase] = []
        if check.keep is not None:
            problems.extend(_socket_problems(check, int(event.get("retval", -1))))
        else:
            got = action_phrase(self.lab.program_type, int(event.get("retval", -1)))
            if got != check.action:
                problems.append(phrase("expected_got", expected=check.action, actual=got))
        if check.output is not None:
            data_out = bytes.fromhex(event.get("data_out") or "")
            found = packets.differences(check.output, data_out, check.frame)
            self.differences[check.name] = [d.to_dict() for d in found]
            problems.extend(phrase("frame_difference", **d.to_dict()) for d in found)
        if check.trace is not None:
            want = self._expected_lines(check) * check.repeat
            seen = [m for m in self.trace.get(run_op_id(check), []) if m.strip()]
            if seen != want:
                problems.append(phrase("lines_printed", expected=quoted(want), actual=quoted(seen)))
        if problems:
            return False, expected, problems
        return True, expected, expected

    # -- map checks -------------------------------------------------------------------

    def _map_outcome(self, check: Check, event: dict[str, Any]) -> tuple[bool, Phrase, Phrase]:
        spec = self.lab.map_spec(check.map or "")
        assert spec is not None  # validated by labs.spec
        context = {"runs": self.layout.runs_before.get(check.name, 0)}
        want = {
            values.pack(e.key, "u32", context): values.unpack_int(
                values.pack(e.value, "u64", context)
            )
            for e in check.entries
        }
        kinds = key_kinds(check)
        expected = self._map_expected(spec, check, want, kinds)
        found = next(
            (m for m in (self.load or {}).get("maps") or [] if m.get("name") == spec.name), None
        )
        problems = map_definition_problems(spec, found)
        if problems:
            return False, expected, phrase("map_problems", map=spec.name, problems=problems)
        if not event.get("ok"):
            return (
                False,
                expected,
                phrase("map_unreadable", map=spec.name, error=event.get("error")),
            )
        got = _dump_values(event)
        for key, value in want.items():
            shown = _key_words(key, kinds)
            if key not in got:
                problems.append(phrase("entry_missing", key=shown, expected=value))
            elif got[key] != value:
                problems.append(phrase("entry_wrong", key=shown, expected=value, actual=got[key]))
        if check.exact:
            for key, value in got.items():
                if key not in want and value != 0:
                    shown = _key_words(key, kinds)
                    problems.append(phrase("entry_unexpected", key=shown, value=value))
        if problems:
            return False, expected, problems
        return True, expected, phrase("map_holds", map=spec.name)

    def _map_expected(
        self, spec: MapSpec, check: Check, want: dict[bytes, int], kinds: list[str]
    ) -> Phrase:
        entries = ", ".join(f"[{_key_words(k, kinds)}] = {v}" for k, v in want.items())
        key = "map_entries_exact" if check.exact else "map_entries"
        shown = entries or phrase("no_entries")
        return phrase(key, types=any_of(spec.types), map=spec.name, entries=shown)

    # -- trigger checks ---------------------------------------------------------------

    def _trigger_outcome(
        self, check: Check, trigger: dict[str, Any] | None
    ) -> tuple[bool, Phrase, Phrase]:
        context = dict(self.layout.context)
        expected = tracing.expected_phrase(check, context, self.lab.record)
        if self.attach_problem:
            return False, expected, self.attach_problem
        if trigger is None or not trigger.get("ok"):
            error = (trigger or {}).get("error") or phrase("did_not_run")
            command = " ".join(fill(arg, context) for arg in check.argv)
            return False, expected, phrase("command_failed", command=command, error=error)
        context["pid"] = str(trigger.get("pid"))
        expected = tracing.expected_phrase(check, context, self.lab.record)
        problems: list[Phrase] = []
        if check.trace_contains:
            problems.extend(self._missing_lines(check, context))
        if check.trace_exact is not None:
            printed = [
                m for m in self.trace_by_pid.get(int(trigger.get("pid") or 0), []) if m.strip()
            ]
            problems.append(tracing.trace_problem(check, context, printed))
        if check.records is not None and self.lab.record is not None:
            problems.extend(self._record_map_problems(self.lab.record.map))
            problems.append(tracing.records_problem(check, self.lab.record, context, self.records))
        problems = [p for p in problems if p]
        if problems:
            return False, expected, problems
        return True, expected, phrase("found")

    def _record_map_problems(self, name: str) -> list[Phrase]:
        spec = self.lab.map_spec(name)
        if spec is None:
            return []
        maps = (self.load or {}).get("maps") or []
        problems = map_definition_problems(
            spec, next((m for m in maps if m.get("name") == name), None)
        )
        if not problems:
            return []
        return [phrase("map_problems", map=name, problems=problems)]

    def _missing_lines(self, check: Check, context: dict[str, str]) -> list[Phrase]:
        seen = [m for op in self.layout.trace_ops[check.name] for m in self.trace.get(op, [])]
        wanted = [fill(line, context) for line in check.trace_contains]
        missing = [line for line in wanted if line not in seen]
        if not missing:
            return []
        shown = seen[-10:]
        if len(seen) > len(shown):
            return [
                phrase(
                    "missing_last",
                    missing=quoted(missing),
                    seen=quoted(shown),
                    shown=len(shown),
                    total=len(seen),
                )
            ]
        return [phrase("missing", missing=quoted(missing), seen=quoted(shown))]

    # -- the end ----------------------------------------------------------------------

    def finish(self, reason: dict[str, Any] | str | None = None) -> list[CheckResult]:
        """Fail every undecided check as not run; the results in the lab's order.

        `reason` (words.* data, or the sandbox's error as a text) says why, unless the
        load already did."""
        why = self.load_reason or _reason(reason) or words.sandbox_reason(self.sandbox_error)
        why = why or {"code": words.SANDBOX}
        for check in self.lab.checks:
            if check.name not in self.results:
                expected = self._not_run_expected(check)
                self._decide(check, False, expected, phrase("not_run", reason=why), why)
        return [self.results[c.name] for c in self.lab.checks]

    def _not_run_expected(self, check: Check) -> Phrase:
        if check.kind == "packet":
            return self._packet_expected(check)
        if check.kind == "trigger":
            return tracing.expected_phrase(check, dict(self.layout.context), self.lab.record)
        spec = self.lab.map_spec(check.map or "")
        assert spec is not None
        return phrase("map", types=any_of(spec.types), map=spec.name)

    @property
    def verifier_log(self) -> str:
        return str((self.load or {}).get("verifier_log") or "")


def _reason(reason: dict[str, Any] | str | None) -> dict[str, Any] | None:
    if isinstance(reason, str):
        return {"code": words.SANDBOX, "error": reason}
    return reason


def _socket_expected(check: Check) -> Phrase:
    if check.keep:
        return phrase("kept_whole", len=len(check.frame) - 14)
    return phrase("dropped")


def _socket_problems(check: Check, retval: int) -> list[Phrase]:
    """A socket filter's return value is how many bytes to keep: under a test run the
    skb starts at the network header, so the whole packet is the frame less 14 bytes."""
    length = len(check.frame) - 14
    kept = retval >= length
    if check.keep and not kept:
        if retval == 0:
            return [phrase("dropped_it")]
        return [phrase("kept_only", retval=retval, len=length)]
    if not check.keep and retval != 0:
        return [phrase("kept_it", retval=retval)]
    return []


def _changes(output: bytes, frame: bytes) -> list[Phrase]:
    """How the expected output differs from the input, as `eth.src X (was Y)` changes."""
    changes: list[Phrase] = []
    for difference in packets.differences(output, frame):
        if difference.field in (packets.FRAME_LENGTH, packets.FRAME_BYTES):
            changes.append(phrase("frame_difference", **difference.to_dict()))
            continue
        new = phrase("value", value=difference.expected)
        old = phrase("value", value=difference.actual)
        changes.append(phrase("frame_change", field=difference.field, new=new, old=old))
    return changes
