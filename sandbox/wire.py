"""The line-based encoding of a Job that the agent (sandbox/agent/agent.c) reads on stdin.

Plain ASCII lines, trivially parsed in C, and safe over a serial port that never closes:

    bpflab-job 1
    limits wall_s=20 max_trace_lines=2000 ...
    obj 7f454c46...            (the object file as hex, 2048 hex digits a line)
    xobj <name> 7f454c46...    (a named object of Job.objects, as many lines as needed)
    op <id> <op> key=value key=value ...
    end

- `id` and every string value are percent-encoded (anything outside [A-Za-z0-9._/:-]
  becomes %XX), so no value holds a space, '=' or a newline.
- Byte values (`key`, `value`, `data`) are lowercase hex. Lists repeat their key:
  `arg=/bin/echo arg=hi`, `pkt=...`. A null value is left out.
- Lines before the header are ignored (console noise); a second header restarts the job.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.job import Job, RunLimits

WIRE_VERSION = "1"
OBJECT_HEX_PER_LINE = 2048
_SAFE = re.compile(rb"[A-Za-z0-9._/:-]")
_LIST_KEYS = {"argv": "arg", "packets": "pkt", "maps": "snap", "sections": "sec"}
_HEX_KEYS = frozenset({"key", "value", "data", "pkt"})


_ALL_SAFE = re.compile(r"[A-Za-z0-9._/:-]*")


def quote(text: str) -> str:
    if _ALL_SAFE.fullmatch(text):  # most ids and names: nothing to escape
        return text
    return "".join(
        chr(b) if _SAFE.fullmatch(bytes([b])) else f"%{b:02X}" for b in text.encode("utf-8")
    )


def unquote(text: str) -> str:
    out = bytearray()
    i = 0
    raw = text.encode("ascii")
    while i < len(raw):
        if raw[i : i + 1] == b"%" and i + 3 <= len(raw):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", errors="replace")


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if key in _HEX_KEYS:
        return str(value).lower()
    return quote(str(value))


def encode_op(op: dict[str, Any]) -> str:
    words = ["op", quote(op["id"]), op["op"]]
    for key, value in op.items():
        if key in ("op", "id") or value is None:
            continue
        if key in _LIST_KEYS:
            words += [f"{_LIST_KEYS[key]}={_value(_LIST_KEYS[key], item)}" for item in value]
        else:
            words.append(f"{key}={_value(key, value)}")
    return " ".join(words)


def encode_job(job: Job) -> bytes:
    """The job as the agent reads it. Validates first: a bad job never reaches the agent."""
    job.validate()
    limits = job.limits.to_dict()
    limits["wall_s"] = int(max(1, round(limits["wall_s"])))
    lines = [
        f"bpflab-job {WIRE_VERSION}",
        "limits " + " ".join(f"{k}={v}" for k, v in limits.items()),
    ]
    hexed = job.object.hex()
    lines += [
        f"obj {hexed[i : i + OBJECT_HEX_PER_LINE]}"
        for i in range(0, len(hexed), OBJECT_HEX_PER_LINE)
    ]
    for name, obj in job.objects.items():
        named = obj.hex()
        lines += [
            f"xobj {name} {named[i : i + OBJECT_HEX_PER_LINE]}"
            for i in range(0, len(named), OBJECT_HEX_PER_LINE)
        ]
    lines += [encode_op(op) for op in job.ops]
    lines.append("end")
    return ("\n".join(lines) + "\n").encode("ascii")


def decode_job(data: bytes) -> Job:
    """The inverse of encode_job (for tests and debugging; the agent has its own parser)."""
    obj_hex: list[str] = []
    named_hex: dict[str, list[str]] = {}
    ops: list[dict[str, Any]] = []
    limits: dict[str, Any] = {}
    for line in data.decode("ascii").splitlines():
        record, _, rest = line.partition(" ")
        if record == "obj":
            obj_hex.append(rest)
        elif record == "xobj":
            name, _, chunk = rest.partition(" ")
            named_hex.setdefault(name, []).append(chunk)
        elif record == "limits":
            limits = {k: _number(v) for k, v in (w.split("=", 1) for w in rest.split())}
        elif record == "op":
            ops.append(_decode_op(rest.split()))
    objects = {name: bytes.fromhex("".join(chunks)) for name, chunks in named_hex.items()}
    return Job(
        object=bytes.fromhex("".join(obj_hex)),
        ops=ops,
        limits=RunLimits(**limits),
        objects=objects,
    )


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _decode_op(words: list[str]) -> dict[str, Any]:
    op: dict[str, Any] = {"op": words[1], "id": unquote(words[0])}
    list_names = {short: long for long, short in _LIST_KEYS.items()}
    for word in words[2:]:
        key, _, raw = word.partition("=")
        if key in list_names:
            value = raw if key in _HEX_KEYS else unquote(raw)
            op.setdefault(list_names[key], []).append(value)
        elif key in _HEX_KEYS:
            op[key] = raw
        elif re.fullmatch(r"-?\d+", raw):
            op[key] = int(raw)
        else:
            op[key] = unquote(raw)
    return op
