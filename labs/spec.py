"""The curriculum as data: loads and validates `content/` (no Django, no database).

Everything is validated up front (packets are built, keys and values packed, actions and
placeholders checked) so that nothing can fail half-way through grading. Every problem
raises ContentError naming the file and the field at fault. The format is described in
docs/lab-format.md.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from labs import generator, packets, values
from sandbox.job import TRIGGER_ALLOW_LIST
from sandbox.job import TRIGGER_BUILTINS as SANDBOX_TRIGGER_BUILTINS

LANGUAGES = ("en", "zh-hans")
PROGRAM_TYPES = ("xdp", "tc", "tracepoint", "kprobe", "tracing", "socket")
# Labs whose program is attached and run by trigger checks (the others are test-run).
TRACING_TYPES = ("tracepoint", "kprobe", "tracing")
BACKENDS = ("local", "docker", "microvm")
XDP_ACTIONS = {"XDP_ABORTED": 0, "XDP_DROP": 1, "XDP_PASS": 2, "XDP_TX": 3, "XDP_REDIRECT": 4}
TC_ACTIONS = {
    "TC_ACT_UNSPEC": -1,
    "TC_ACT_OK": 0,
    "TC_ACT_RECLASSIFY": 1,
    "TC_ACT_SHOT": 2,
    "TC_ACT_PIPE": 3,
    "TC_ACT_STOLEN": 4,
    "TC_ACT_QUEUED": 5,
    "TC_ACT_REPEAT": 6,
    "TC_ACT_REDIRECT": 7,
}
ACTIONS_BY_TYPE = {"xdp": XDP_ACTIONS, "tc": TC_ACTIONS}
MAP_TYPES = (
    "array",
    "percpu_array",
    "hash",
    "percpu_hash",
    "lru_hash",
    "lru_percpu_hash",
    "lpm_trie",
    "ringbuf",
    "prog_array",
)
CHECK_KINDS = ("packet", "map", "trigger")
TRIGGER_ALLOWED = TRIGGER_ALLOW_LIST  # the sandbox's own list
# The agent's own triggers: files made and removed, execs by another path and from a
# second thread, all from the trigger's own pid.
TRIGGER_BUILTINS = SANDBOX_TRIGGER_BUILTINS
# Per-run values in trigger argv and expected lines: {random} (a fresh token, so a
# program cannot print the expected path from memory), {pid} (the trigger's process).
TRIGGER_PLACEHOLDERS = ("random", "pid")
RECORD_FIELD_TYPES = ("u32", "u64", "s32", "cstr")
MAX_REPEAT = 1000


class ContentError(Exception):
    """A content file is wrong; the message reads `<path>: <field>: <problem>`."""


@dataclass(frozen=True)
class MapSpec:
    name: str
    types: tuple[str, ...]  # accepted bpftool type names
    key_size: int
    value_size: int
    max_entries: int | None = None  # exact
    min_entries: int | None = None
    flags: int = 0  # bits that must be set


@dataclass(frozen=True)
class Seed:
    map: str
    key: bytes
    value: bytes
    program: str | None = None  # a PROG_ARRAY slot: the object's program of this name
    delete: bool = False  # a check's seed `value: null`: the entry removed (an empty slot)
    spec: Any = None  # the value as written, when it names drawn values (packed per run)


@dataclass(frozen=True)
class RecordField:
    name: str
    type: str  # u32 | u64 | s32 | cstr (a NUL-terminated string in `size` bytes)
    size: int
    offset: int


@dataclass(frozen=True)
class RecordSpec:
    """The ring buffer records a lab's program submits, as the checks read them."""

    map: str
    size: int
    fields: tuple[RecordField, ...]
    owner: str  # the field holding the submitting process (tgid): records of others are ignored


@dataclass(frozen=True)
class MapEntry:
    key: Any  # value spec (packed with the `u32` default)
    value: Any  # value spec (packed with the `u64` default; placeholders allowed)


@dataclass(frozen=True)
class Check:
    name: str
    describe: dict[str, str]
    kind: str  # packet | map | trigger
    # packet checks
    packet: dict[str, Any] | None = None
    frame: bytes = b""
    repeat: int = 1
    action: str | None = None
    output: bytes | None = None  # expected data_out, None = not checked
    output_spec: Any = None  # the output's overrides as written, when they name drawn values
    trace: tuple[str, ...] | None = None  # expected lines (format strings) for this run
    # map checks
    map: str | None = None
    entries: tuple[MapEntry, ...] = ()
    exact: bool = False
    # socket labs: the packet is kept whole (True) or dropped (False)
    keep: bool | None = None
    # map changes made just before this check's runs and undone right after them (the
    # lab's seeds restored), e.g. a PROG_ARRAY slot emptied
    seeds: tuple[Seed, ...] = ()
    # trigger checks
    argv: tuple[str, ...] = ()
    before: tuple[tuple[str, ...], ...] = ()  # commands run first (setup), not looked at
    trace_contains: tuple[str, ...] = ()
    trace_exact: tuple[str, ...] | None = None  # every line the trigger's process printed
    records: tuple[dict[str, Any], ...] | None = None  # every record of its process

    def placeholders(self) -> dict[str, int]:
        """Values for the placeholders of this check's packet."""
        return {
            "len": len(self.frame),
            "ethertype": packets.ethertype(self.frame),
            "proto": packets.ipv4_proto(self.frame),
        }


@dataclass
class LabSpec:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    program_type: str
    section: str
    sections: tuple[str, ...]  # every accepted section name (section first)
    starter_rejected: bool
    programs: int
    maps: list[MapSpec]
    seeds: list[Seed]
    checks: list[Check]
    starter: str
    solution: str
    lessons: dict[str, str]
    hints: dict[str, list[str]]
    path: Path
    stage: str = ""
    program_names: tuple[str, ...] = ()  # exactly these function names, when given
    section_per_program: bool = False  # each section held by exactly one program
    test_program: str | None = None  # the program test runs start (None: the only one)
    backends: tuple[str, ...] = BACKENDS  # where the lab can run (kprobes: microvm only)
    record: RecordSpec | None = None
    # generated traffic compared with the reference (`differential:`), None = no such phase
    traffic: generator.TrafficSpec | None = None
    # The oldest microVM kernel the lab needs, and the one its runs get by default.
    min_kernel: str = ""
    default_kernel: str = ""
    # The newest one it can run on (kprobe-unlink: do_unlinkat is filename_unlinkat in 7.x).
    max_kernel: str = ""
    # The starter with its comments translated, by language (starter.<lang>.c): the same code.
    starters: dict[str, str] = field(default_factory=dict)
    # Values drawn from each run's seed (`draws:`), filled into seeds and expected outputs.
    draws: dict[str, generator.DrawSpec] = field(default_factory=dict)

    def map_spec(self, name: str) -> MapSpec | None:
        return next((m for m in self.maps if m.name == name), None)

    def action_value(self, action: str) -> int:
        return ACTIONS_BY_TYPE[self.program_type][action]

    def runs_on(self, backend: str) -> bool:
        return backend in self.backends

    def drawn(self, seed: int) -> LabSpec:
        """The lab as the run with this seed sees it: its `draws` drawn from the seed and
        filled into the seeds and expected output frames that name them."""
        if not self.draws:
            return self
        avoid = {value for check in self.checks for value in _carried(check.frame)}
        context = generator.draw_values(self.draws, seed, avoid)
        checks = [
            replace(
                c,
                output=_drawn_output(c, context) if c.output_spec is not None else c.output,
                seeds=tuple(_drawn_seed(s, context) for s in c.seeds),
            )
            for c in self.checks
        ]
        return replace(self, seeds=[_drawn_seed(s, context) for s in self.seeds], checks=checks)


def _drawn_seed(seed: Seed, context: Mapping[str, list[str]]) -> Seed:
    """A seed whose value names drawn values, packed with this run's."""
    if seed.spec is None:
        return seed
    return replace(seed, value=values.pack(with_draws(seed.spec, context), "u64"))


def with_draws(spec: Any, context: Mapping[str, list[str]]) -> Any:
    """A value or packet spec with its `{name[i]}` placeholders filled from drawn values."""
    if isinstance(spec, str) and "{" in spec:
        return spec.format_map(context)
    if isinstance(spec, Mapping):
        return {k: with_draws(v, context) for k, v in spec.items()}
    if isinstance(spec, list):
        return [with_draws(v, context) for v in spec]
    return spec


def names_draws(spec: Any) -> bool:
    """Whether a value or packet spec holds a placeholder (drawn values, in a lab with
    `draws:`)."""
    if isinstance(spec, str):
        return "{" in spec
    if isinstance(spec, Mapping):
        return any(names_draws(v) for v in spec.values())
    if isinstance(spec, list):
        return any(names_draws(v) for v in spec)
    return False


def _drawn_output(check: Check, context: Mapping[str, list[str]]) -> bytes:
    assert check.packet is not None
    overrides = with_draws(check.output_spec, context)
    return packets.build(packets.with_overrides(check.packet, overrides))


def _carried(frame: bytes) -> set[str]:
    """The MACs and IPv4 addresses a frame carries, as drawn values are written."""
    found = {":".join(f"{b:02x}" for b in frame[i : i + 6]) for i in (0, 6) if len(frame) >= i + 6}
    if packets.ethertype(frame) == 0x0800 and len(frame) >= 34:
        found |= {str(ipaddress.IPv4Address(frame[i : i + 4])) for i in (26, 30)}
    return found


@dataclass
class StageSpec:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    labs: list[str]


@dataclass
class PlanSpec:
    slug: str
    title: dict[str, str]
    description: dict[str, str]
    pace_days_per_lab: int
    labs: list[str]


@dataclass
class Curriculum:
    stages: list[StageSpec]
    labs: dict[str, LabSpec]  # in course order
    plans: list[PlanSpec]
    path: Path = field(default_factory=Path)


# ---------------------------------------------------------------------------------------
# small readers: each raises ContentError("<path>: <where>: <problem>")


class _Reader:
    """Reads fields of one file, so every error names the file and the field."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, problem: str) -> ContentError:
        return ContentError(
            f"{self.path}: {where}: {problem}" if where else f"{self.path}: {problem}"
        )

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        return value

    def required(self, data: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in data or data[key] is None:
            raise self.fail(_join(where, key), "missing")
        return data[key]

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = self.required(data, key, where)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(where, key), f"expected non-empty text, got {value!r}")
        return value

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(where, f"expected an integer >= {minimum}, got {value!r}")
        return value

    def translated(self, data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
        value = self.mapping(self.required(data, key, where), _join(where, key))
        result = {}
        for lang in LANGUAGES:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                raise self.fail(_join(where, f"{key}.{lang}"), "missing translation")
            result[lang] = value[lang].strip()
        return result

    def slugs(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = self.required(data, key, where)
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise self.fail(_join(where, key), "expected a list of lab slugs")
        return list(value)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# libyaml's parser when PyYAML has it (its wheels do): several times faster than the pure
# Python one, and `load_content` reads some 60 files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing file") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc


def _read_text(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: missing file") from exc
    if not text.strip():
        raise ContentError(f"{path}: empty file")
    return text


# ---------------------------------------------------------------------------------------
# lab.yaml


def _map_spec(r: _Reader, raw: Any, where: str) -> MapSpec:
    data = r.mapping(raw, where)
    kinds = r.required(data, "type", where)
    types = tuple(kinds) if isinstance(kinds, list) else (kinds,)
    for kind in types:
        if kind not in MAP_TYPES:
            raise r.fail(
                f"{where}.type", f"unknown map type {kind!r} (known: {', '.join(MAP_TYPES)})"
            )
    if "max_entries" in data and "min_entries" in data:
        raise r.fail(where, "give max_entries (exact) or min_entries, not both")
    return MapSpec(
        name=r.text(data, "name", where),
        types=types,
        # 0 for a ring buffer, which has no keys or values
        key_size=r.integer(r.required(data, "key_size", where), f"{where}.key_size", 0),
        value_size=r.integer(r.required(data, "value_size", where), f"{where}.value_size", 0),
        max_entries=_optional_int(r, data, "max_entries", where),
        min_entries=_optional_int(r, data, "min_entries", where),
        flags=r.integer(data.get("flags", 0), f"{where}.flags"),
    )


def _optional_int(r: _Reader, data: Mapping[str, Any], key: str, where: str) -> int | None:
    return r.integer(data[key], f"{where}.{key}", 1) if key in data else None


def _packed(r: _Reader, spec: Any, default_kind: str, where: str, size: int | None) -> bytes:
    try:
        values.validate(spec, default_kind)
        data = values.pack(spec, default_kind, dict.fromkeys(values.PLACEHOLDERS, 0))
    except values.ValueSpecError as exc:
        raise r.fail(where, str(exc)) from exc
    if size is not None and len(data) != size:
        raise r.fail(where, f"packs to {len(data)} bytes, the map wants {size}")
    return data


def _seed(
    r: _Reader,
    raw: Any,
    where: str,
    maps: dict[str, MapSpec],
    may_delete: bool = False,
    drawn: Mapping[str, list[str]] | None = None,
) -> Seed:
    data = r.mapping(raw, where)
    name = r.text(data, "map", where)
    if name not in maps:
        raise r.fail(f"{where}.map", f"no map {name!r} in `maps`")
    spec = maps[name]
    if may_delete and "value" in data and data["value"] is None:
        key = _packed(r, r.required(data, "key", where), "u32", f"{where}.key", spec.key_size)
        return Seed(map=name, key=key, value=b"", delete=True)
    value = r.required(data, "value", where)
    if isinstance(value, Mapping) and set(value) == {"program"}:
        program = r.text(value, "program", f"{where}.value")
        key = _packed(r, r.required(data, "key", where), "u32", f"{where}.key", spec.key_size)
        return Seed(map=name, key=key, value=b"", program=program)
    written = None
    if drawn and names_draws(value):  # packed again for each run, with its drawn values
        written, value = value, _sample(r, value, drawn, f"{where}.value")
    return Seed(
        map=name,
        key=_packed(r, r.required(data, "key", where), "u32", f"{where}.key", spec.key_size),
        value=_packed(r, value, "u64", f"{where}.value", spec.value_size),
        spec=written,
    )


def _sample(r: _Reader, spec: Any, drawn: Mapping[str, list[str]], where: str) -> Any:
    """A spec naming drawn values, filled with one draw's (to check it up front)."""
    try:
        return with_draws(spec, drawn)
    except (KeyError, IndexError, ValueError) as exc:
        known = ", ".join(f"{{{name}[0..{len(v) - 1}]}}" for name, v in drawn.items())
        raise r.fail(where, f"names no drawn value: {exc} (drawn: {known})") from exc


def _frame(r: _Reader, spec: Any, where: str) -> bytes:
    try:
        frame = packets.build(r.mapping(spec, where))
    except packets.PacketSpecError as exc:
        raise r.fail(where, str(exc)) from exc
    if len(frame) < 14:
        raise r.fail(where, f"{len(frame)} bytes: test runs need at least an Ethernet header (14)")
    return frame


def _output(
    r: _Reader,
    raw: Any,
    packet: Mapping[str, Any],
    frame: bytes,
    where: str,
    drawn: Mapping[str, list[str]] | None = None,
) -> bytes:
    if raw == "same":
        return frame
    if drawn and names_draws(raw):
        raw = _sample(r, raw, drawn, where)
    try:
        merged = packets.with_overrides(packet, r.mapping(raw, where))
    except packets.PacketSpecError as exc:
        raise r.fail(where, str(exc)) from exc
    return _frame(r, merged, where)


def _lines(r: _Reader, raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise r.fail(where, "expected a list of lines")
    for line in raw:
        try:
            values.check_placeholders(line)
        except values.ValueSpecError as exc:
            raise r.fail(where, str(exc)) from exc
    return tuple(raw)


# BPF_PROG_TEST_RUN of an skb program refuses (EINVAL) frames whose IPv4/IPv6 header
# does not fit, so TC labs cannot test such frames.
SKB_MIN_FRAME = generator.SKB_MIN_FRAME
# The check the differential phase adds to a lab with a `differential:` section.
DIFFERENTIAL_CHECK = "generated-traffic"


def _packet_check(r: _Reader, data: Mapping[str, Any], lab: dict[str, Any], where: str) -> dict:
    packet = dict(r.mapping(r.required(data, "packet", where), f"{where}.packet"))
    frame = _frame(r, packet, f"{where}.packet")
    minimum = SKB_MIN_FRAME.get(packets.ethertype(frame), 0)
    if lab["program_type"] in ("tc", "socket") and len(frame) < minimum:
        raise r.fail(
            f"{where}.packet",
            f"{len(frame)} bytes: the kernel cannot test-run a TC program on a frame whose "
            f"network header does not fit (at least {minimum} bytes for this EtherType)",
        )
    expect = r.mapping(r.required(data, "expect", where), f"{where}.expect")
    if lab["program_type"] == "socket":
        return _socket_check(r, data, packet, frame, expect, where)
    actions = ACTIONS_BY_TYPE.get(lab["program_type"])
    if actions is None:
        raise r.fail(
            where, f"packet checks need an xdp, tc or socket lab, not {lab['program_type']}"
        )
    action = r.required(expect, "action", f"{where}.expect")
    if action not in actions:
        raise r.fail(
            f"{where}.expect.action", f"unknown action {action!r} (known: {', '.join(actions)})"
        )
    repeat = r.integer(data.get("repeat", 1), f"{where}.repeat", 1)
    if repeat > MAX_REPEAT:
        raise r.fail(f"{where}.repeat", f"at most {MAX_REPEAT}")
    trace = expect.get("trace")
    if "output" in expect and repeat != 1:
        # each run rewrites the frame the previous run left: only one run has a clear output
        raise r.fail(f"{where}.repeat", "a check on the output frame needs repeat: 1")
    return {
        "packet": packet,
        "frame": frame,
        "repeat": repeat,
        "action": action,
        "output": _output(
            r, expect["output"], packet, frame, f"{where}.expect.output", lab.get("drawn")
        )
        if "output" in expect
        else None,
        "output_spec": expect["output"]
        if lab.get("drawn") and names_draws(expect.get("output"))
        else None,
        "trace": _lines(r, trace, f"{where}.expect.trace") if trace is not None else None,
    }


def _socket_check(
    r: _Reader,
    data: Mapping[str, Any],
    packet: dict[str, Any],
    frame: bytes,
    expect: Mapping[str, Any],
    where: str,
) -> dict:
    """A socket filter keeps the packet (returns its length or more) or drops it (0)."""
    keep = r.required(expect, "keep", f"{where}.expect")
    if not isinstance(keep, bool):
        raise r.fail(f"{where}.expect.keep", "expected true (kept whole) or false (dropped)")
    trace = expect.get("trace")
    return {
        "packet": packet,
        "frame": frame,
        "repeat": r.integer(data.get("repeat", 1), f"{where}.repeat", 1),
        "keep": keep,
        "trace": _lines(r, trace, f"{where}.expect.trace") if trace is not None else None,
    }


def _map_check(r: _Reader, data: Mapping[str, Any], maps: dict[str, MapSpec], where: str) -> dict:
    name = r.text(data, "map", where)
    if name not in maps:
        raise r.fail(f"{where}.map", f"no map {name!r} in `maps`")
    expect = r.mapping(r.required(data, "expect", where), f"{where}.expect")
    raw_entries = expect.get("entries", [])
    if not isinstance(raw_entries, list):
        raise r.fail(f"{where}.expect.entries", "expected a list of {key, value}")
    entries = []
    for i, raw in enumerate(raw_entries):
        at = f"{where}.expect.entries[{i}]"
        entry = r.mapping(raw, at)
        key, value = r.required(entry, "key", at), r.required(entry, "value", at)
        _packed(r, key, "u32", f"{at}.key", maps[name].key_size)
        _packed(r, value, "u64", f"{at}.value", maps[name].value_size)
        entries.append(MapEntry(key=key, value=value))
    exact = expect.get("exact", False)
    if not isinstance(exact, bool):
        raise r.fail(f"{where}.expect.exact", "expected true or false")
    return {"map": name, "entries": tuple(entries), "exact": exact}


def _argv(r: _Reader, argv: Any, where: str) -> tuple[str, ...]:
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise r.fail(where, "expected a non-empty list of strings")
    allowed = TRIGGER_ALLOWED + TRIGGER_BUILTINS
    if argv[0] not in allowed:
        raise r.fail(where, f"{argv[0]!r} is not allowed ({', '.join(allowed)})")
    for arg in argv:
        _trigger_text(r, arg, where)
    return tuple(argv)


def _trigger_text(r: _Reader, text: str, where: str) -> None:
    try:
        names = values.placeholder_names(text)
    except ValueError as exc:
        raise r.fail(where, f"bad placeholder in {text!r}: {exc}") from exc
    for name in names:
        if name not in TRIGGER_PLACEHOLDERS:
            known = ", ".join(TRIGGER_PLACEHOLDERS)
            raise r.fail(where, f"unknown placeholder {{{name}}} in {text!r} (known: {known})")


def _trigger_lines(r: _Reader, raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise r.fail(where, "expected a list of lines")
    for line in raw:
        _trigger_text(r, line, where)
    return tuple(raw)


def _trigger_check(r: _Reader, data: Mapping[str, Any], lab: dict[str, Any], where: str) -> dict:
    argv = _argv(r, r.required(data, "argv", where), f"{where}.argv")
    before_raw = data.get("before", [])
    if not isinstance(before_raw, list):
        raise r.fail(f"{where}.before", "expected a list of commands")
    before = tuple(_argv(r, cmd, f"{where}.before[{i}]") for i, cmd in enumerate(before_raw))
    expect = r.mapping(r.required(data, "expect", where), f"{where}.expect")
    known = {"trace_contains", "trace", "records"}
    if not known & set(expect) or set(expect) - known:
        raise r.fail(f"{where}.expect", "expected trace_contains, trace and/or records")
    fields: dict[str, Any] = {"argv": argv, "before": before}
    if "trace_contains" in expect:
        fields["trace_contains"] = _trigger_lines(
            r, expect["trace_contains"], f"{where}.expect.trace_contains"
        )
    if "trace" in expect:
        fields["trace_exact"] = _trigger_lines(r, expect["trace"], f"{where}.expect.trace")
    if "records" in expect:
        fields["records"] = _expected_records(r, expect["records"], lab, f"{where}.expect.records")
    return fields


def _expected_records(
    r: _Reader, raw: Any, lab: dict[str, Any], where: str
) -> tuple[dict[str, Any], ...]:
    record = lab.get("record")
    if record is None:
        raise r.fail(where, "records checks need a `record` layout in the lab")
    if not isinstance(raw, list):
        raise r.fail(where, "expected a list of records")
    names = {f.name for f in record.fields}
    result = []
    for i, item in enumerate(raw):
        entry = dict(r.mapping(item, f"{where}[{i}]"))
        unknown = set(entry) - names
        if unknown:
            raise r.fail(
                f"{where}[{i}]", f"unknown fields {sorted(unknown)} (known: {sorted(names)})"
            )
        for value in entry.values():
            if isinstance(value, str):
                _trigger_text(r, value, f"{where}[{i}]")
        result.append(entry)
    return tuple(result)


def _record_spec(
    r: _Reader, data: Mapping[str, Any], maps: dict[str, MapSpec]
) -> RecordSpec | None:
    raw = data.get("record")
    if raw is None:
        return None
    item = r.mapping(raw, "record")
    name = r.text(item, "map", "record")
    if name not in maps or "ringbuf" not in maps[name].types:
        raise r.fail("record.map", f"{name!r} is not a ringbuf map in `maps`")
    raw_fields = r.required(item, "fields", "record")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise r.fail("record.fields", "expected a list of {name, type[, size]}")
    fields, offset = [], 0
    for i, raw_field in enumerate(raw_fields):
        at = f"record.fields[{i}]"
        f = r.mapping(raw_field, at)
        kind = r.text(f, "type", at)
        if kind not in RECORD_FIELD_TYPES:
            raise r.fail(f"{at}.type", f"unknown {kind!r} (known: {', '.join(RECORD_FIELD_TYPES)})")
        size = 8 if kind == "u64" else 4
        if kind == "cstr":
            size = r.integer(r.required(f, "size", at), f"{at}.size", 1)
        fields.append(RecordField(r.text(f, "name", at), kind, size, offset))
        offset += size
    owner = r.text(item, "owner", "record")
    if owner not in {f.name for f in fields}:
        raise r.fail("record.owner", f"no field {owner!r}")
    return RecordSpec(map=name, size=offset, fields=tuple(fields), owner=owner)


def _check_seeds(
    r: _Reader,
    raw: Any,
    maps: dict[str, MapSpec],
    where: str,
    drawn: Mapping[str, list[str]] | None = None,
) -> tuple[Seed, ...]:
    """A check's own map changes; `value: null` removes the entry (empties a slot). Like
    the lab's seeds, a value may name drawn values (a backend replaced for one run)."""
    if not isinstance(raw, list) or not raw:
        raise r.fail(where, "expected a non-empty list of {map, key, value}")
    return tuple(
        _seed(r, item, f"{where}[{i}]", maps, may_delete=True, drawn=drawn)
        for i, item in enumerate(raw)
    )


def _check(
    r: _Reader, raw: Any, lab: dict[str, Any], maps: dict[str, MapSpec], where: str
) -> Check:
    data = r.mapping(raw, where)
    kind = data.get("kind", "packet")
    if kind not in CHECK_KINDS:
        raise r.fail(f"{where}.kind", f"unknown kind {kind!r} (known: {', '.join(CHECK_KINDS)})")
    if kind == "trigger" and lab["program_type"] not in TRACING_TYPES:
        raise r.fail(f"{where}.kind", f"trigger checks need a {' or '.join(TRACING_TYPES)} lab")
    if kind == "packet" and lab["program_type"] in TRACING_TYPES:
        raise r.fail(f"{where}.kind", "a tracing lab's checks are triggers")
    fields: dict[str, Any]
    if kind == "packet":
        fields = _packet_check(r, data, lab, where)
    elif kind == "map":
        fields = _map_check(r, data, maps, where)
    else:
        fields = _trigger_check(r, data, lab, where)
    if data.get("seeds") is not None:
        if kind != "packet":
            raise r.fail(f"{where}.seeds", "only packet checks change maps for their own runs")
        fields["seeds"] = _check_seeds(
            r, data["seeds"], maps, f"{where}.seeds", drawn=lab.get("drawn")
        )
    return Check(
        name=r.text(data, "name", where),
        describe=r.translated(data, "describe", where),
        kind=kind,
        **fields,
    )


def _checks(
    r: _Reader, data: Mapping[str, Any], lab: dict, maps: dict[str, MapSpec]
) -> list[Check]:
    raw_checks = r.required(data, "checks", "")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise r.fail("checks", "expected a non-empty list")
    checks = [_check(r, raw, lab, maps, f"checks[{i}]") for i, raw in enumerate(raw_checks)]
    names = [c.name for c in checks]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise r.fail(f"checks[{i}].name", f"duplicate check name {name!r}")
    return checks


def load_lab(folder: Path, with_prose: bool = True) -> LabSpec:
    """One lab folder: lab.yaml, starter.c, solution.c, lessons and hints.

    `with_prose=False` skips lessons and hints, so grading works while prose is written.
    """
    path = folder / "lab.yaml"
    r = _Reader(path)
    data = r.mapping(_read_yaml(path), "")
    slug = r.text(data, "slug", "")
    if slug != folder.name:
        raise r.fail("slug", f"{slug!r} does not match the folder name {folder.name!r}")
    program_type = r.text(data, "program_type", "")
    if program_type not in PROGRAM_TYPES:
        raise r.fail(
            "program_type", f"unknown {program_type!r} (known: {', '.join(PROGRAM_TYPES)})"
        )
    # program_sections: several programs, one in each (fentry + fexit); else `section`
    section = (
        data["program_sections"][0] if data.get("program_sections") else r.text(data, "section", "")
    )
    aliases = data.get("section_aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise r.fail("section_aliases", "expected a list of section names")
    maps = _maps(r, data)
    seeds_raw = data.get("seeds", []) or []
    if not isinstance(seeds_raw, list):
        raise r.fail("seeds", "expected a list")
    record = _record_spec(r, data, maps)
    draws = _draws(r, data)
    # one draw, to check up front what names drawn values; each run draws its own
    drawn = generator.draw_values(draws, 0) if draws else None
    lab_fields = {"program_type": program_type, "record": record, "drawn": drawn}
    checks = _checks(r, data, lab_fields, maps)
    program_sections = data.get("program_sections")
    if program_sections is not None:
        if not isinstance(program_sections, list) or len(program_sections) < 2:
            raise r.fail("program_sections", "expected a list of two or more section names")
        aliases = program_sections[1:]
    return LabSpec(
        program_names=tuple(_names(r, data, "program_names")),
        section_per_program=program_sections is not None,
        test_program=data.get("test_program"),
        backends=tuple(_names(r, data, "backends")) or BACKENDS,
        record=record,
        slug=slug,
        title=r.translated(data, "title", ""),
        summary=r.translated(data, "summary", ""),
        program_type=program_type,
        section=section,
        sections=(section, *aliases),
        starter_rejected=_flag(r, data, "starter_rejected"),
        programs=r.integer(data.get("programs", 1), "programs", 1),
        maps=list(maps.values()),
        seeds=[_seed(r, raw, f"seeds[{i}]", maps, drawn=drawn) for i, raw in enumerate(seeds_raw)],
        draws=draws,
        checks=checks,
        traffic=_traffic(r, data, program_type, maps, checks),
        starter=_read_text(folder / "starter.c"),
        solution=_read_text(folder / "solution.c"),
        lessons=_lessons(folder) if with_prose else {},
        hints=_all_hints(folder) if with_prose else {},
        path=folder,
        min_kernel=_kernel_name(r, data, "min_kernel"),
        default_kernel=_kernel_name(r, data, "default_kernel"),
        max_kernel=_kernel_name(r, data, "max_kernel"),
        starters=_translated_starters(folder),
    )


_C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def without_comments(source: str) -> str:
    """C source with its comments and blank space removed: what a compiler sees of it."""
    return re.sub(r"\s+", "", _C_COMMENT.sub("", source))


def _translated_starters(folder: Path) -> dict[str, str]:
    """starter.<lang>.c files: the starter with comments in another language. Only comments
    may differ, so every language's learner starts from the code the checks were tried on."""
    starters = {}
    for path in sorted(folder.glob("starter.*.c")):
        language = path.name[len("starter.") : -len(".c")]
        text = _read_text(path)
        if without_comments(text) != without_comments(_read_text(folder / "starter.c")):
            raise ContentError(f"{path}: differs from starter.c in more than its comments")
        starters[language] = text
    return starters


def _traffic(
    r: _Reader,
    data: Mapping[str, Any],
    program_type: str,
    maps: dict[str, MapSpec],
    checks: list[Check],
) -> generator.TrafficSpec | None:
    if "differential" not in data:
        return None
    if program_type not in ACTIONS_BY_TYPE and program_type not in generator.SKB_PROGRAM_TYPES:
        raise r.fail("differential", f"generated traffic needs a packet lab, not {program_type}")
    try:
        traffic = generator.parse_traffic(data["differential"])
    except generator.TrafficSpecError as exc:
        raise r.fail("", str(exc)) from exc
    for i, name in enumerate(traffic.maps or ()):
        if name not in maps:
            raise r.fail(f"differential.maps[{i}]", f"no map {name!r} in `maps`")
    for i, check in enumerate(checks):
        if check.name == DIFFERENTIAL_CHECK:
            raise r.fail(f"checks[{i}].name", f"{DIFFERENTIAL_CHECK!r} is the generated check's")
    return traffic


def _draws(r: _Reader, data: Mapping[str, Any]) -> dict[str, generator.DrawSpec]:
    if data.get("draws") is None:
        return {}
    try:
        return generator.parse_draws(data["draws"])
    except generator.DrawSpecError as exc:
        raise r.fail("", str(exc)) from exc


KERNEL_NAME = re.compile(r"^\d+\.\d+$")


def _kernel_name(r: _Reader, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    if value in ("", None):
        return ""
    if not isinstance(value, str) or not KERNEL_NAME.match(value):
        raise r.fail(key, 'expected a kernel version in quotes, e.g. "6.12"')
    return value


def load_lab_spec(folder: Path) -> LabSpec:
    """A lab without its prose (lessons, hints): what grading needs."""
    return load_lab(folder, with_prose=False)


def _names(r: _Reader, data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise r.fail(key, "expected a list of names")
    if key == "backends" and set(value) - set(BACKENDS):
        raise r.fail(key, f"unknown backends {sorted(set(value) - set(BACKENDS))}")
    return list(value)


def _flag(r: _Reader, data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise r.fail(key, "expected true or false")
    return value


def _maps(r: _Reader, data: Mapping[str, Any]) -> dict[str, MapSpec]:
    raw = data.get("maps", []) or []
    if not isinstance(raw, list):
        raise r.fail("maps", "expected a list")
    maps: dict[str, MapSpec] = {}
    for i, item in enumerate(raw):
        spec = _map_spec(r, item, f"maps[{i}]")
        if spec.name in maps:
            raise r.fail(f"maps[{i}].name", f"duplicate map {spec.name!r}")
        maps[spec.name] = spec
    return maps


def _lessons(folder: Path) -> dict[str, str]:
    return {lang: _read_text(folder / f"lesson.{lang}.md") for lang in LANGUAGES}


def _all_hints(folder: Path) -> dict[str, list[str]]:
    return {lang: _hints(folder / f"hints.{lang}.yaml") for lang in LANGUAGES}


def _hints(path: Path) -> list[str]:
    data = _read_yaml(path)
    if not isinstance(data, list) or not data:
        raise ContentError(f"{path}: expected a non-empty list of hints")
    for i, hint in enumerate(data):
        if not isinstance(hint, str) or not hint.strip():
            raise ContentError(f"{path}: [{i}]: expected non-empty text")
    return [h.strip() for h in data]


# ---------------------------------------------------------------------------------------
# stages.yaml, plans.yaml, the whole curriculum


def _stages(path: Path) -> list[StageSpec]:
    r = _Reader(path)
    data = _read_yaml(path)
    if not isinstance(data, list) or not data:
        raise r.fail("", "expected a non-empty list of stages")
    stages = []
    for i, raw in enumerate(data):
        item = r.mapping(raw, f"[{i}]")
        stages.append(
            StageSpec(
                slug=r.text(item, "slug", f"[{i}]"),
                title=r.translated(item, "title", f"[{i}]"),
                summary=r.translated(item, "summary", f"[{i}]"),
                labs=r.slugs(item, "labs", f"[{i}]"),
            )
        )
    return stages


def _plans(path: Path, known: dict[str, LabSpec]) -> list[PlanSpec]:
    r = _Reader(path)
    data = _read_yaml(path)
    if not isinstance(data, list):
        raise r.fail("", "expected a list of plans")
    plans = []
    for i, raw in enumerate(data):
        item = r.mapping(raw, f"[{i}]")
        plan = PlanSpec(
            slug=r.text(item, "slug", f"[{i}]"),
            title=r.translated(item, "title", f"[{i}]"),
            description=r.translated(item, "description", f"[{i}]"),
            pace_days_per_lab=r.integer(
                r.required(item, "pace_days_per_lab", f"[{i}]"), f"[{i}].pace_days_per_lab", 1
            ),
            labs=r.slugs(item, "labs", f"[{i}]"),
        )
        for slug in plan.labs:
            if slug not in known:
                raise r.fail(f"[{i}].labs", f"unknown lab {slug!r}")
        plans.append(plan)
    return plans


def _unique(r: _Reader, slugs: list[str], what: str) -> None:
    for i, slug in enumerate(slugs):
        if slug in slugs[:i]:
            raise r.fail(what, f"{slug!r} appears twice")


def load_curriculum(path: Path, with_prose: bool = True) -> Curriculum:
    """The whole of `content/`: stages in order, labs in course order, plans.

    `with_prose=False` skips lessons and hints (the grader does not need them).
    """
    path = Path(path)
    stages_path = path / "stages.yaml"
    stages = _stages(stages_path)
    r = _Reader(stages_path)
    _unique(r, [s.slug for s in stages], "slug")
    _unique(r, [slug for s in stages for slug in s.labs], "labs")
    labs: dict[str, LabSpec] = {}
    for stage in stages:
        for slug in stage.labs:
            folder = path / "labs" / slug
            if not folder.is_dir():
                raise r.fail(f"{stage.slug}.labs", f"no folder {folder}")
            lab = load_lab(folder) if with_prose else load_lab_spec(folder)
            lab.stage = stage.slug
            labs[slug] = lab
    for folder in sorted((path / "labs").iterdir()):
        if folder.is_dir() and folder.name not in labs:
            raise ContentError(f"{folder}: a lab folder no stage of {stages_path} lists")
    plans = _plans(path / "plans.yaml", labs) if with_prose else []
    return Curriculum(stages=stages, labs=labs, plans=plans, path=path)


def load_lab_by_slug(content_dir: Path, slug: str) -> LabSpec:
    """One lab for grading, without its prose; ContentError when there is no such lab."""
    folder = Path(content_dir) / "labs" / slug
    if not slug or "/" in slug or not (folder / "lab.yaml").is_file():
        raise ContentError(f"{folder}: no such lab {slug!r}")
    return load_lab_spec(folder)
