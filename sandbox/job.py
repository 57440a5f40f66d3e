"""The sandbox Job (what to run), its RunLimits, and the Result (what happened).

See docs/protocol.md: a Job is the object file plus an ordered list of operations, each a
plain dict with "op" and "id". Everything here round-trips through JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

# The commands a `trigger` op may run: the one list. The lab spec checks against it, the
# agent is compiled with it (sandbox/build.py writes it into a header), the docker image
# and the VM initramfs carry exactly these busybox applets (TRIGGER_APPLETS).
TRIGGER_ALLOW_LIST = ("/bin/true", "/bin/ls", "/bin/cat", "/bin/echo", "/bin/sleep", "/bin/ping")
TRIGGER_APPLETS = tuple(path.rsplit("/", 1)[-1] for path in TRIGGER_ALLOW_LIST)
OP_NAMES = ("load", "map_update", "test_run", "map_dump", "attach", "traffic", "trigger", "trace")
RESULT_EVENTS = frozenset(OP_NAMES) - {"trace"}
# The biggest Ethernet frame a test_run or traffic op may carry (a jumbo frame).
MAX_PACKET_BYTES = 9216
# Distinct frames in one traffic op (each may be sent `count` times).
MAX_TRAFFIC_PACKETS = 64
# The agent allocates one verifier log buffer of this size per program.
MAX_VERIFIER_LOG_BYTES = 64 * 1024 * 1024


@dataclass
class RunLimits:
    wall_s: float = 20
    max_trace_lines: int = 2000
    max_trace_bytes: int = 256 * 1024
    max_map_entries: int = 1024
    max_output_bytes: int = 4 * 1024 * 1024
    max_repeat: int = 1000
    verifier_log_bytes: int = 1024 * 1024
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

    def validate(self) -> None:
        """Raises ValueError naming the first problem; a valid job is safe to send."""
        if not isinstance(self.object, bytes | bytearray) or not self.object:
            raise ValueError("the job has no object file")
        self.limits.validate()
        if not self.ops:
            raise ValueError("the job has no operations")
        seen: set[str] = set()
        for index, op in enumerate(self.ops):
            _validate_op(op, index, self.limits)
            if op["id"] in seen:
                raise ValueError(f"op {index}: duplicate id {op['id']!r}")
            seen.add(op["id"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": base64.b64encode(self.object).decode("ascii"),
            "ops": self.ops,
            "limits": self.limits.to_dict(),
        }

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
        )
        job.validate()
        return job

    @classmethod
    def from_json(cls, text: str) -> Job:
        return cls.from_dict(json.loads(text))


def _validate_op(op: Any, index: int, limits: RunLimits) -> None:
    if not isinstance(op, dict):
        raise ValueError(f"op {index}: must be a mapping, got {type(op).__name__}")
    name = op.get("op")
    if name not in OP_NAMES:
        raise ValueError(f"op {index}: unknown op {name!r} (known: {', '.join(OP_NAMES)})")
    op_id = op.get("id")
    if not isinstance(op_id, str) or not op_id:
        raise ValueError(f"op {index} ({name}): id must be a non-empty string")
    if (name == "load") != (index == 0):
        raise ValueError(f"op {index} ({name}): load must be the first op, and only it")
    where = f"op {op_id!r} ({name})"
    _VALIDATORS[name](op, where, limits)


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
    _check_hex(op.get("value"), "value", where, 65536)
    _check_int(op, "flags", where, 0, 7)


def _v_test_run(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "program", where, required=False)
    _check_hex(op.get("data"), "data", where, MAX_PACKET_BYTES)
    repeat = op.get("repeat", 1)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"{where}: repeat must be an integer >= 1, got {repeat!r}")
    if repeat > limits.max_repeat:
        raise ValueError(f"{where}: repeat {repeat} is over the limit of {limits.max_repeat}")


def _v_map_dump(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "map", where, required=True)


def _v_attach(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_name(op, "program", where, required=False)
    target = op.get("target")
    if target is None:
        return
    netdev = ("xdp", "tc", "tc/ingress", "tc/egress")
    if not isinstance(target, str) or not (
        target in netdev or (target.startswith("tracepoint/") and target.count("/") == 2)
    ):
        raise ValueError(
            f"{where}: target must be null, xdp, tc, tc/ingress, tc/egress or "
            f"tracepoint/<category>/<name>, got {target!r}"
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
    if argv[0] not in TRIGGER_ALLOW_LIST:
        raise ValueError(
            f"{where}: trigger {argv[0]!r} is not on the allow list "
            f"({', '.join(TRIGGER_ALLOW_LIST)})"
        )
    if len(argv) > 32 or sum(len(a.encode()) + 1 for a in argv) > 4096:
        raise ValueError(f"{where}: argv is too long (32 arguments, 4096 bytes)")
    if any("\0" in a for a in argv):
        raise ValueError(f"{where}: argv may not contain NUL characters")
    # not bounded by wall_s: the wall limit is the backend's to enforce, over all ops
    _check_int(op, "timeout_ms", where, 1, 60_000)


def _v_trace(op: dict[str, Any], where: str, limits: RunLimits) -> None:
    _check_int(op, "wait_ms", where, 0, 10_000)


_VALIDATORS = {
    "load": _v_load,
    "map_update": _v_map_update,
    "test_run": _v_test_run,
    "map_dump": _v_map_dump,
    "attach": _v_attach,
    "traffic": _v_traffic,
    "trigger": _v_trigger,
    "trace": _v_trace,
}


def pending_op(ops: list[dict[str, Any]], events: list[dict[str, Any]]) -> dict[str, Any]:
    """The op that was running when a run stopped: the one after the last op that reported
    a result (ops run in order; a trace op reports none, so it counts as done once a later
    op reported)."""
    reported = {e.get("id") for e in events if e.get("event") in RESULT_EVENTS}
    last = max((i for i, op in enumerate(ops) if op["id"] in reported), default=-1)
    return ops[min(last + 1, len(ops) - 1)]


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
