"""Sandbox events -> check results, decided as soon as the events that settle them arrive.

The Evaluator is fed every sandbox event in order. A packet check is decided by its
test_run result (its trace lines arrive before that result), a map check by its dump,
a trigger check by the trace op after the trigger. When the run ends, every check not
decided yet fails with "not run: <reason>": a check never passes because nothing ran.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from labs import packets, values
from labs.grading.jobs import LOAD_OP, Plan, run_op_id
from labs.grading.verdicts import CheckResult
from labs.spec import ACTIONS_BY_TYPE, Check, Lab, MapSpec

# Program types the agent may report, per lab program_type (libbpf/bpftool spellings).
PROGRAM_TYPE_NAMES = {
    "xdp": {"xdp"},
    "tc": {"sched_cls", "sched_act", "tc", "classifier"},
    "tracepoint": {"tracepoint"},
}


def action_name(program_type: str, retval: int) -> str:
    if retval >= 2**31:  # TC actions are signed (TC_ACT_UNSPEC = -1); retval is a u32
        retval -= 2**32
    for name, value in ACTIONS_BY_TYPE.get(program_type, {}).items():
        if value == retval:
            return name
    return f"unknown action {retval}"


def trace_message(event: dict[str, Any]) -> str:
    """The printed text of a trace event, without the newline bpf_printk users often add."""
    message = event.get("message")
    if message is None:
        line = str(event.get("line", ""))
        message = line.split("bpf_trace_printk: ", 1)[-1]
    return str(message).rstrip("\r\n")


def _quote(lines: list[str]) -> str:
    return ", ".join(f'"{line}"' for line in lines) if lines else "no line"


SOURCE_REF = re.compile(r"^; .* @ (prog\.c:\d+)$")
INSN_LINE = re.compile(r"^\d+: ")


def verifier_complaint(log: str) -> tuple[str, str]:
    """(the verifier's last complaint, the source line it was at) from a rejection log."""
    lines = log.splitlines()
    end = next((i for i, line in enumerate(lines) if line.startswith("processed ")), len(lines))
    complaint: list[str] = []
    where = ""
    for line in reversed(lines[:end]):
        if INSN_LINE.match(line) or line.startswith(";"):
            break
        if line.strip() and not line.startswith("libbpf:"):
            complaint.insert(0, line.strip())
    for line in reversed(lines[:end]):
        match = SOURCE_REF.match(line)
        if match:
            where = match.group(1)
            break
    return " / ".join(complaint), where


LIBBPF_NO_SECTION = re.compile(r"libbpf: prog '([^']+)': missing BPF prog type")
LIBBPF_PROG_LINE = re.compile(r"^libbpf: (prog '[^']+': (?!failed to load).*)$")


def load_failure(event: dict[str, Any]) -> str:
    """Why the object did not load, in the learner's terms."""
    log = str(event.get("verifier_log") or "")
    complaint, where = verifier_complaint(log)
    if complaint:
        at = f" at {where}" if where else ""
        return f"the verifier rejected it{at}: {complaint}"
    no_section = LIBBPF_NO_SECTION.search(log)
    if no_section:
        return (
            f"function '{no_section.group(1)}' is not in a program section: put "
            f'SEC("...") before it, or make it static if it is a helper'
        )
    detail = next((m.group(1) for m in map(LIBBPF_PROG_LINE.match, log.splitlines()) if m), None)
    reason = event.get("error") or "rejected"
    return f"the program did not load: {reason}" + (f" ({detail})" if detail else "")


def _program_problem(lab: Lab, programs: list[dict[str, Any]]) -> str | None:
    """Why the loaded object does not fit the lab (count, section, type), or None."""
    if len(programs) != lab.programs:
        names = ", ".join(str(p.get("name")) for p in programs) or "none"
        want = "exactly one program" if lab.programs == 1 else f"{lab.programs} programs"
        return f"this lab wants {want}; your object has {len(programs)} ({names})"
    for program in programs:
        section = str(program.get("section", ""))
        if section not in lab.sections:
            return (
                f"program '{program.get('name')}' is in section '{section}'; this lab wants "
                f'SEC("{lab.section}")'
            )
        kind = str(program.get("type", "")).lower().removeprefix("bpf_prog_type_")
        if kind and kind not in PROGRAM_TYPE_NAMES[lab.program_type]:
            return f"program '{program.get('name')}' is a {kind} program; this lab wants {lab.program_type}"
    return None


def map_definition_problems(spec: MapSpec, found: dict[str, Any] | None) -> list[str]:
    """How a loaded map differs from what the lab requires, in words."""
    if found is None:
        return [f"no map named '{spec.name}' in your object"]
    problems = []
    kind = str(found.get("type", ""))
    if kind not in spec.types:
        problems.append(f"type: expected {' or '.join(spec.types)}, got {kind}")
    for attr in ("key_size", "value_size"):
        want, got = getattr(spec, attr), found.get(attr)
        if want != got:
            problems.append(f"{attr}: expected {want} bytes, got {got}")
    entries = found.get("max_entries")
    if spec.max_entries is not None and entries != spec.max_entries:
        problems.append(f"max_entries: expected {spec.max_entries}, got {entries}")
    if spec.min_entries is not None and (entries or 0) < spec.min_entries:
        problems.append(f"max_entries: expected at least {spec.min_entries}, got {entries}")
    flags = int(found.get("flags") or 0)
    if flags & spec.flags != spec.flags:
        problems.append(f"flags: expected {spec.flags:#x} set, got {flags:#x}")
    return problems


KIND_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "be16": 2, "be32": 4, "ipv4": 4}


def key_kinds(check: Check) -> list[str]:
    """The field kinds of the check's keys, used to print any key the same way."""
    if not check.entries:
        return []
    return [kind for kind, _ in values.fields_of(check.entries[0].key, "u32")]


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

    def __init__(self, lab: Lab, plan: Plan, emit: Callable[[dict[str, Any]], None]) -> None:
        self.lab, self.plan, self.emit = lab, plan, emit
        self.results: dict[str, CheckResult] = {}
        self.trace: dict[str | None, list[str]] = {}
        self.trace_lines: list[str] = []
        self.load: dict[str, Any] | None = None
        self.load_problem: str | None = None
        self.seed_problem: str | None = None
        self.runs_ok = 0
        self.attach_problem: str | None = None
        self.triggers: dict[str, dict[str, Any]] = {}
        self.sandbox_error: str | None = None
        self.checks_by_op = {op: name for name, op in plan.check_ops.items()}
        self.by_name = {c.name: c for c in lab.checks}

    # -- feeding ----------------------------------------------------------------------

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "trace":
            self.trace.setdefault(event.get("op"), []).append(trace_message(event))
            self.trace_lines.append(str(event.get("line") or trace_message(event)))
        elif kind == "load" and event.get("id", LOAD_OP) == LOAD_OP:
            self._on_load(event)
        elif kind == "map_update" and not event.get("ok"):
            self.seed_problem = self.seed_problem or f"could not fill the map: {event.get('error')}"
        elif kind == "attach" and not event.get("ok"):
            self.attach_problem = f"could not attach the program: {event.get('error')}"
        elif kind == "trigger":
            self.triggers[str(event.get("id"))] = event
        elif kind == "error":
            self.sandbox_error = str(event.get("message") or "sandbox error")
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
                trigger = self.triggers.get(self.plan.trace_ops[check.name][0])
                if self.attach_problem or trigger is not None:
                    self._decide(check, *self._trigger_outcome(check, trigger))

    def _on_load(self, event: dict[str, Any]) -> None:
        self.load = event
        if not event.get("ok"):
            self.load_problem = load_failure(event)
            return
        problem = _program_problem(self.lab, list(event.get("programs") or []))
        if problem:
            self.load_problem = problem

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
        if check.kind == "packet":
            self._decide(check, *self._packet_outcome(check, event))
        elif check.kind == "map":
            self._decide(check, *self._map_outcome(check, event))

    def _decide(self, check: Check, passed: bool, expected: str, actual: str) -> None:
        result = CheckResult(check.name, passed, expected, actual, dict(check.describe))
        self.results[check.name] = result
        self.emit(result.to_event())

    # -- packet checks ----------------------------------------------------------------

    def _packet_expected(self, check: Check) -> str:
        parts = [check.action or ""]
        if check.output is not None:
            if check.output == check.frame:
                parts.append("frame unchanged")
            else:
                changes = packets.differences(check.output, check.frame)
                parts.append("frame rewritten: " + "; ".join(_as_change(c) for c in changes))
        if check.trace is not None:
            once = f"prints {_quote(self._expected_lines(check))}"
            parts.append(once if check.repeat == 1 else f"{once} on each of {check.repeat} runs")
        return ", ".join(parts)

    def _expected_lines(self, check: Check) -> list[str]:
        context = check.placeholders()
        return [line.format(**context) for line in check.trace or ()]

    def _packet_outcome(self, check: Check, event: dict[str, Any]) -> tuple[bool, str, str]:
        expected = self._packet_expected(check)
        if self.seed_problem:
            return False, expected, f"not run: {self.seed_problem}"
        if not event.get("ok"):
            return False, expected, f"the test run failed: {event.get('error') or 'error'}"
        problems = []
        got = action_name(self.lab.program_type, int(event.get("retval", -1)))
        if got != check.action:
            problems.append(f"expected {check.action}, got {got}")
        if check.output is not None:
            data_out = bytes.fromhex(event.get("data_out") or "")
            problems.extend(packets.differences(check.output, data_out, check.frame))
        if check.trace is not None:
            want = self._expected_lines(check) * check.repeat
            seen = [m for m in self.trace.get(run_op_id(check), []) if m.strip()]
            if seen != want:
                problems.append(f"expected the lines {_quote(want)}, printed {_quote(seen)}")
        if problems:
            return False, expected, "; ".join(problems)
        return True, expected, expected

    # -- map checks -------------------------------------------------------------------

    def _map_outcome(self, check: Check, event: dict[str, Any]) -> tuple[bool, str, str]:
        spec = self.lab.map_spec(check.map or "")
        assert spec is not None  # validated by labs.spec
        context = {"runs": self.plan.runs_before.get(check.name, 0)}
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
            return False, expected, f"map {spec.name}: " + "; ".join(problems)
        if not event.get("ok"):
            return False, expected, f"could not read map {spec.name}: {event.get('error')}"
        got = _dump_values(event)
        for key, value in want.items():
            if key not in got:
                problems.append(f"[{_key_words(key, kinds)}]: expected {value}, no entry")
            elif got[key] != value:
                problems.append(f"[{_key_words(key, kinds)}]: expected {value}, got {got[key]}")
        if check.exact:
            for key, value in got.items():
                if key not in want and value != 0:
                    problems.append(f"unexpected entry [{_key_words(key, kinds)}] = {value}")
        if problems:
            return False, expected, "; ".join(problems)
        return True, expected, f"{spec.name} holds the expected entries"

    def _map_expected(
        self, spec: MapSpec, check: Check, want: dict[bytes, int], kinds: list[str]
    ) -> str:
        entries = ", ".join(f"[{_key_words(k, kinds)}] = {v}" for k, v in want.items())
        rest = " and no other non-zero entry" if check.exact else ""
        return f"{' or '.join(spec.types)} map {spec.name}: {entries or 'no entries'}{rest}"

    # -- trigger checks ---------------------------------------------------------------

    def _trigger_outcome(
        self, check: Check, trigger: dict[str, Any] | None
    ) -> tuple[bool, str, str]:
        expected = f"the trace holds {_quote(list(check.trace_contains))}"
        if self.attach_problem:
            return False, expected, self.attach_problem
        if trigger is None or not trigger.get("ok"):
            error = (trigger or {}).get("error") or "did not run"
            return False, expected, f"the command {' '.join(check.argv)} failed: {error}"
        seen = [m for op in self.plan.trace_ops[check.name] for m in self.trace.get(op, [])]
        missing = [line for line in check.trace_contains if line not in seen]
        if not missing:
            return True, expected, "found"
        shown = seen[-10:]
        more = f" (last {len(shown)} of {len(seen)})" if len(seen) > len(shown) else ""
        return False, expected, f"missing {_quote(missing)}; lines seen{more}: {_quote(shown)}"

    # -- the end ----------------------------------------------------------------------

    def finish(self, reason: str | None = None) -> list[CheckResult]:
        """Fail every undecided check as not run; the results in the lab's order."""
        why = self.load_problem or reason or self.sandbox_error or "the sandbox stopped early"
        for check in self.lab.checks:
            if check.name not in self.results:
                expected = self._not_run_expected(check)
                self._decide(check, False, expected, f"not run: {why}")
        return [self.results[c.name] for c in self.lab.checks]

    def _not_run_expected(self, check: Check) -> str:
        if check.kind == "packet":
            return self._packet_expected(check)
        if check.kind == "trigger":
            return f"the trace holds {_quote(list(check.trace_contains))}"
        spec = self.lab.map_spec(check.map or "")
        assert spec is not None
        return f"{' or '.join(spec.types)} map {spec.name}"

    @property
    def verifier_log(self) -> str:
        return str((self.load or {}).get("verifier_log") or "")


def _as_change(difference: str) -> str:
    """`eth.src: expected X, got Y` (expected output vs input) -> `eth.src X (was Y)`."""
    name, _, rest = difference.partition(": expected ")
    new, _, old = rest.partition(", got ")
    return f"{name} {new} (was {old})" if old else difference
