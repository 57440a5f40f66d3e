"""The sandbox Job (what to run), its RunLimits, and the Result (what happened).

See docs/protocol.md: a Job is the object file plus an ordered list of operations, each a
plain dict with "op" and "id". Everything here round-trips through JSON.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# The commands a `trigger` op may run: the one list. The lab spec checks against it, the
# agent is compiled with it (sandbox/build.py writes it into a header), the docker image
# and the VM initramfs carry exactly these busybox applets (TRIGGER_APPLETS).
TRIGGER_ALLOW_LIST = ("/bin/true", "/bin/ls", "/bin/cat", "/bin/echo", "/bin/sleep", "/bin/ping")
# Done by the agent's own forked child, with no helper exec (docs/protocol.md):
# @create PATH..., @rm PATH..., @rm-at DIR NAME, @exec PATH, @exec-thread PATH,
# @exec-retry MISSING... PATH (failing execs, then @exec PATH: several execs, one process).
TRIGGER_BUILTINS = ("@create", "@rm", "@rm-at", "@exec", "@exec-thread", "@exec-retry")
TRIGGER_APPLETS = tuple(path.rsplit("/", 1)[-1] for path in TRIGGER_ALLOW_LIST)
# A trigger's optional `comm`: the name its process runs under until it execs (the
# kernel's TASK_COMM_LEN is 16 with the NUL).
TRIGGER_COMM = re.compile(r"[A-Za-z0-9._-]{1,15}")
OP_NAMES = (
    "load",
    "map_update",
    "map_delete",
    "test_run",
    "map_dump",
    "attach",
    "traffic",
    "trigger",
    "trace",
    "live",
)
RESULT_EVENTS = frozenset(OP_NAMES) - {"trace"}
# The biggest Ethernet frame a test_run or traffic op may carry (a jumbo frame).
MAX_PACKET_BYTES = 9216
# Distinct frames in one traffic op (each may be sent `count` times).
MAX_TRAFFIC_PACKETS = 64
# Live traffic mode: the longest loop, the fastest rate, the shortest snapshot interval.
MAX_LIVE_MS = 120_000
MAX_LIVE_RATE = 10_000
MIN_LIVE_INTERVAL_MS = 100
MAX_LIVE_MAPS = 16
# What a host writes on the job channel, after the job, to end a live op early.
STOP_LINE = b"stop\n"
# The agent allocates one verifier log buffer of this size per program.
MAX_VERIFIER_LOG_BYTES = 64 * 1024 * 1024
# Named objects a job may carry besides its main one (e.g. a lab's reference solution).
MAX_NAMED_OBJECTS = 4
OBJECT_NAME = re.compile(r"[A-Za-z0-9._-]{1,63}")
# Ops that work on one loaded object: the main one, or the one their `object` names.
OBJECT_OPS = ("map_update", "map_delete", "test_run", "map_dump", "attach")


@dataclass
class RunLimits:
    wall_s: float = 20
    max_trace_lines: int = 2000
    max_trace_bytes: int = 256 * 1024
    max_map_entries: int = 1024
    max_output_bytes: int = 4 * 1024 * 1024
    max_repeat: int = 1000
    verifier_log_bytes: int = 1024 * 1024
    max_records: int = 2000
    # CPU seconds the verifier may spend on the object (the agent stops it past that)
    verifier_cpu_s: int = 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RunLimits:
        data = data or {}
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        limits = cls(**data)
        limits.validate()
        return limits

    def validate(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limit {f.name} must be a positive number, got {value!r}")
        if self.verifier_log_bytes > MAX_VERIFIER_LOG_BYTES:
            raise ValueError(f"limit verifier_log_bytes is over {MAX_VERIFIER_LOG_BYTES}")


@dataclass
class Job:
    object: bytes
    ops: list[dict[str, Any]]
    limits: RunLimits = field(default_factory=RunLimits)
    # More object files by name, each loaded by a later `load` op with `object: <name>`
    # and used by the ops that name it (a lab's reference beside the learner's program).
    objects: dict[str, bytes] = field(default_factory=dict)

    def validate(self) -> None:
        """Raises ValueError naming the first problem; a valid job is safe to send."""
        if not isinstance(self.object, bytes | bytearray) or not self.object:
            raise ValueError("the job has no object file")
        self._validate_objects()
        self.limits.validate()
        if not self.ops:
            raise ValueError("the job has no operations")
        seen: set[str] = set()
        loaded: set[str] = set()
        for index, op in enumerate(self.ops):
            _validate_op(op, index, self.limits)
            _validate_object_use(op, self.objects, loaded)
            if op["id"] in seen:
                raise ValueError(f"op {index}: duplicate id {op['id']!r}")
            seen.add(op["id"])

    def _validate_objects(self) -> None:
        if len(self.objects) > MAX_NAMED_OBJECTS:
            raise ValueError(f"at most {MAX_NAMED_OBJECTS} named objects")
        for name, data in self.objects.items():
            if not isinstance(name, str) or not OBJECT_NAME.fullmatch(name):
                raise ValueError(f"object name {name!r}: 1-63 of A-Z a-z 0-9 . _ -")
            if not isinstance(data, bytes | bytearray) or not data:
                raise ValueError(f"object {name!r} is empty")

    def all_objects(self) -> list[bytes]:
        return [self.object, *self.objects.values()]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "object": base64.b64encode(self.object).decode("ascii"),
            "ops": self.ops,
            "limits": self.limits.to_dict(),
        }
        if self.objects:
            data["objects"] = {
                name: base64.b64encode(obj).decode("ascii") for name, obj in self.objects.items()
            }
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        try:
            obj = base64.b64decode(data.get("object") or "", validate=True)
        except binascii.Error as exc:
            raise ValueError(f"object is not valid base64: {exc}") from exc
        job = cls(
            object=obj,
            ops=list(data.get("ops") or []),
            limits=RunLimits.from_dict(data.get("limits")),
            objects={str(k): _b64(v, k) for k, v in (data.get("objects") or {}).items()},
        )
        job.validate()
        return job

    @classmethod
    def from_json(cls, text: str) -> Job:
        return cls.from_dict(json.loads(text))


def _b64(value: Any, name: Any) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, TypeError) as exc:
        raise ValueError(f"object {name!r} is not valid base64: {exc}") from exc


def _validate_op(op: Any, index: int, limits: RunLimits) -> None:
    if not isinstance(op, dict):
        raise ValueError(f"op {index}: must be a mapping, got {type(op).__name__}")
    name = op.get("op")
    if name not in OP_NAMES:
        raise ValueError(f"op {index}: unknown op {name!r} (known: {', '.join(OP_NAMES)})")
    op_id = op.get("id")
    if not isinstance(op_id, str) or not op_id:
        raise ValueError(f"op {index} ({name}): id must be a non-empty string")
    if index == 0 and (name != "load" or op.get("object") is not None):
        raise ValueError(f"op {index} ({name}): load must be the first op, of the main object")
    if index > 0 and name == "load" and op.get("object") is None:
        raise ValueError(
            f"op {index} ({name}): load must be the first op; a later one names an object"
        )
    where = f"op {op_id!r} ({name})"
    _VALIDATORS[name](op, where, limits)


def _validate_object_use(op: dict[str, Any], objects: dict[str, bytes], loaded: set[str]) -> None:
    """A named object is loaded once, before any op that uses it."""
    name = op.get("object")
    if name is None:
        return
    where = f"op {op['id']!r} ({op['op']})"
    if op["op"] != "load" and op["op"] not in OBJECT_OPS:
        raise ValueError(f"{where}: this op takes no object")
    if name not in objects:
        raise ValueError(f"{where}: the job has no object named {name!r}")
    if op["op"] == "load":
        if name in loaded:
            raise ValueError(f"{where}: object {name!r} is loaded twice")
        loaded.add(name)
    elif name not in loaded:
        raise ValueError(f"{where}: object {name!r} is used before its load")


def _check_int(op: dict[str, Any], key: str, where: str, low: int, high: int) -> None:
    value = op.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{where}: {key} must be an integer from {low} to {high}, got {value!r}")


def _check_name(op: dict[str, Any], key: str, where: str, required: bool) -> None:
    value = op.get(key)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value or any(c.isspace() for c in value):
        raise ValueError(f"{where}: {key} must be a name, got {value!r}")


def _check_hex(value: Any, what: str, where: str, max_bytes: int | None = None) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{where}: {what} must be a hex string, got {value!r}")
    try:
        raw = bytes.fromhex(value)
    except ValueError as exc:
        raise ValueError(f"{where}: {what} is not valid hex: {value[:40]!r}") from exc
    if len(value) != 2 * len(raw):
        raise ValueError(f"{where}: {what} must be plain hex without spaces")
    if max_bytes is not None and len(raw) > max_bytes:
        raise ValueError(f"{where}: {what} is {len(raw)} bytes, more than {max_bytes}")


def _v_load(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_int(op, "log_level", where, 0, 2)


def _v_map_update(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "map", where, required=True)
    _check_hex(op.get("key"), "key", where, 4096)
    # program: the value is that program of the object (a PROG_ARRAY slot), not bytes
    _check_name(op, "program", where, required=False)
    if op.get("program") is None:
        _check_hex(op.get("value"), "value", where, 65536)
    elif op.get("value") is not None:
        raise ValueError(f"{where}: give a value or a program, not both")
    _check_int(op, "flags", where, 0, 7)


def _v_map_delete(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "map", where, required=True)
    _check_hex(op.get("key"), "key", where, 4096)


def _v_test_run(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "program", where, required=False)
    if op.get("output", "always") not in ("always", "changed"):
        raise ValueError(f"{where}: output must be always or changed, got {op.get('output')!r}")
    _check_hex(op.get("data"), "data", where, MAX_PACKET_BYTES)
    repeat = op.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"{where}: repeat must be an integer >= 1, got {repeat!r}")
    if repeat > limits.max_repeat:
        raise ValueError(f"{where}: repeat {repeat} is over the limit of {limits.max_repeat}")


def _v_map_dump(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "map", where, required=True)


def _v_attach(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    # program: a name, null (the first one) or "*" (every program, each by its section)
    _check_name(op, "program", where, required=False)
    sections = op.get("sections")
    if sections is not None and (
        not isinstance(sections, list)
        or not all(isinstance(s, str) and s and not any(c.isspace() for c in s) for s in sections)
    ):
        raise ValueError(f"{where}: sections must be a list of section names")
    target = op.get("target")
    if target is None:
        return
    netdev = ("xdp", "tc", "tc/ingress", "tc/egress")
    if not isinstance(target, str) or not (
        target in netdev
        or (target.startswith("tracepoint/") and target.count("/") == 2)
        or (target.startswith("kprobe/") and target.count("/") == 1 and len(target) > 7)
    ):
        raise ValueError(
            f"{where}: target must be null, xdp, tc, tc/ingress, tc/egress, "
            f"tracepoint/<category>/<name> or kprobe/<function>, got {target!r}"
        )
    _check_name(op, "target", where, required=True)


def _v_traffic(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    packets = op.get("packets")
    if not isinstance(packets, list) or not packets:
        raise ValueError(f"{where}: packets must be a non-empty list of hex frames")
    if len(packets) > MAX_TRAFFIC_PACKETS:
        raise ValueError(f"{where}: at most {MAX_TRAFFIC_PACKETS} packets per traffic op")
    for i, packet in enumerate(packets):
        _check_hex(packet, f"packets[{i}]", where, MAX_PACKET_BYTES)
        if len(packet) < 28:
            raise ValueError(f"{where}: packets[{i}] is shorter than an Ethernet header")
    _check_int(op, "count", where, 1, limits.max_repeat)


def _v_trigger(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    argv = op.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise ValueError(f"{where}: argv must be a non-empty list of strings")
    if argv[0] not in TRIGGER_ALLOW_LIST + TRIGGER_BUILTINS:
        raise ValueError(
            f"{where}: trigger {argv[0]!r} is not on the allow list "
            f"({', '.join(TRIGGER_ALLOW_LIST + TRIGGER_BUILTINS)})"
        )
    if len(argv) > 32 or sum(len(a.encode()) + 1 for a in argv) > 4096:
        raise ValueError(f"{where}: argv is too long (32 arguments, 4096 bytes)")
    if any("\0" in a for a in argv):
        raise ValueError(f"{where}: argv may not contain NUL characters")
    # not bounded by wall_s: the wall limit is the backend's to enforce, over all ops
    _check_int(op, "timeout_ms", where, 1, 60_000)
    comm = op.get("comm")
    if comm is not None and (not isinstance(comm, str) or not TRIGGER_COMM.fullmatch(comm)):
        raise ValueError(f"{where}: comm must be 1-15 letters, digits, '.', '_' or '-'")


def _v_trace(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_int(op, "wait_ms", where, 0, 10_000)


def _v_live(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    """Traffic at `rate` frames a second (round robin over `packets`) or the trigger `argv`
    every `every_ms`, for `duration_ms`, with a snapshot of `maps` every `interval_ms`."""
    duration = op.get("duration_ms")
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise ValueError(f"{where}: duration_ms must be an integer")
    _check_int(op, "duration_ms", where, 1, MAX_LIVE_MS)
    if duration / 1000 >= limits.wall_s:
        raise ValueError(f"{where}: duration_ms must end before the wall limit ({limits.wall_s} s)")
    _check_int(op, "interval_ms", where, MIN_LIVE_INTERVAL_MS, MAX_LIVE_MS)
    maps = op.get("maps") or []
    if not isinstance(maps, list) or len(maps) > MAX_LIVE_MAPS:
        raise ValueError(f"{where}: maps must be a list of at most {MAX_LIVE_MAPS} map names")
    for index, name in enumerate(maps):
        _check_name({"map": name}, "map", f"{where} maps[{index}]", required=True)
    if (op.get("packets") is None) == (op.get("argv") is None):
        raise ValueError(f"{where}: give packets (traffic) or argv (a trigger), not both")
    if op.get("packets") is not None:
        _v_traffic({"packets": op["packets"]}, where, limits)
        _check_int(op, "rate", where, 1, MAX_LIVE_RATE)
    else:
        _v_trigger({"argv": op["argv"], "timeout_ms": op.get("timeout_ms")}, where, limits)
        _check_int(op, "every_ms", where, 1, MAX_LIVE_MS)


_VALIDATORS = {
    "load": _v_load,
    "map_update": _v_map_update,
    "map_delete": _v_map_delete,
    "test_run": _v_test_run,
    "map_dump": _v_map_dump,
    "attach": _v_attach,
    "traffic": _v_traffic,
    "trigger": _v_trigger,
    "trace": _v_trace,
    "live": _v_live,
}


def pending_op(ops: list[dict[str, Any]], events: list[dict[str, Any]]) -> dict[str, Any]:
    """The op that was running when a run stopped: the one after the last op that reported
    a result (ops run in order; a trace op reports none, so it counts as done once a later
    op reported)."""
    reported = {e.get("id") for e in events if e.get("event") in RESULT_EVENTS}
    last = max((i for i, op in enumerate(ops) if op["id"] in reported), default=-1)
    return ops[min(last + 1, len(ops) - 1)]


class RunControl:
    """The host's handle on a running job: `stop()` ends a live op early (the agent then
    dumps what it was asked to and finishes as at the time limit). A backend connects it
    to its sandbox with `connect(send)`, `send` writing bytes to the agent's job channel;
    a stop asked before that is sent on connecting."""

    def __init__(self) -> None:
        self._send: Any = None
        self.stopped = False

    def connect(self, send: Any) -> None:
        self._send = send
        if self.stopped:
            self._deliver()

    def stop(self) -> None:
        self.stopped = True
        if self._send is not None:
            self._deliver()

    def _deliver(self) -> None:
        with contextlib.suppress(OSError):  # the sandbox is gone already: nothing to stop
            self._send(STOP_LINE)


@dataclass
class Result:
    ok: bool
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0
    # Set when the learner's program ran past a time limit: {"op", "id", "limit_s", "what"}.
    # A verdict on the program (like a judge's TLE), not a failure of the sandbox.
    time_limit: dict[str, Any] | None = None

    def by_id(self, op_id: str) -> dict[str, Any] | None:
        """The result event of one operation (load, test_run, ...), or None if it never came."""
        for event in self.events:
            if event.get("id") == op_id and event.get("event") in RESULT_EVENTS:
                return event
        return None

    def trace_lines(self, op_id: str | None = None) -> list[dict[str, Any]]:
        """Trace events, all of them or only those read while op_id ran."""
        return [
            event
            for event in self.events
            if event.get("event") == "trace" and (op_id is None or event.get("op") == op_id)
        ]

    def records(self, map_name: str | None = None) -> list[dict[str, Any]]:
        """Ring buffer records, all of them or those of one map, in the order read."""
        return [
            event
            for event in self.events
            if event.get("event") == "record" and (map_name is None or event.get("map") == map_name)
        ]

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event.get("event") == kind]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            ok=bool(data["ok"]),
            events=list(data.get("events") or []),
            error=data.get("error"),
            duration_s=float(data.get("duration_s") or 0.0),
            time_limit=data.get("time_limit"),
        )
