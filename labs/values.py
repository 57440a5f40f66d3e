"""Map keys and values written as data in lab.yaml, packed to and unpacked from bytes.

A value spec is one of:
- a bare integer (or placeholder string): `u32` for keys, `u64` for values;
- a mapping of field kinds to values, packed in the order written: `{u32: 24, ipv4: 192.0.2.0}`;
- a list of one-field mappings, for layouts that repeat a kind: `[{u32: 1}, {u32: 2}]`.

Field values may be placeholders (`"{runs}"`) resolved when the bytes are needed.
"""

from __future__ import annotations

import ipaddress
import string
import struct
from collections.abc import Mapping
from typing import Any

# kind -> struct format (little-endian host order for uN, network order for beN)
INT_FORMATS: dict[str, str] = {
    "u8": "<B",
    "u16": "<H",
    "u32": "<I",
    "u64": "<Q",
    "be16": ">H",
    "be32": ">I",
}
KINDS = (*INT_FORMATS, "ipv4", "hex")
PLACEHOLDERS = ("len", "ethertype", "runs", "proto")


class ValueSpecError(ValueError):
    """A value spec that cannot be packed; the message names the field at fault."""


def fields_of(spec: Any, default_kind: str) -> list[tuple[str, Any]]:
    """The (kind, value) pairs of a spec, in packing order."""
    if isinstance(spec, bool):
        raise ValueSpecError(f"expected a number or a mapping of fields, got {spec!r}")
    if isinstance(spec, int | str):
        return [(default_kind, spec)]
    if isinstance(spec, Mapping):
        return [(str(kind), value) for kind, value in spec.items()]
    if isinstance(spec, list):
        pairs: list[tuple[str, Any]] = []
        for item in spec:
            if not isinstance(item, Mapping):
                raise ValueSpecError(f"list items must be one-field mappings, got {item!r}")
            pairs.extend((str(kind), value) for kind, value in item.items())
        return pairs
    raise ValueSpecError(f"expected a number or a mapping of fields, got {spec!r}")


def placeholder_names(text: str) -> list[str]:
    """The placeholder names used in a format string (`{len}`, `{ethertype:x}`)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueSpecError(f"bad placeholder in {text!r}: {exc}") from exc
    return [name for _, name, _, _ in parsed if name is not None]


def check_placeholders(text: str) -> None:
    for name in placeholder_names(text):
        if name not in PLACEHOLDERS:
            raise ValueSpecError(
                f"unknown placeholder {{{name}}} in {text!r} (known: {', '.join(PLACEHOLDERS)})"
            )


def resolve_int(value: Any, context: Mapping[str, int]) -> int:
    """An integer field value, placeholders resolved from `context`."""
    if isinstance(value, bool):
        raise ValueSpecError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.format(**context) if "{" in value else value
        try:
            return int(text, 0)
        except ValueError as exc:
            raise ValueSpecError(f"expected an integer, got {value!r}") from exc
    raise ValueSpecError(f"expected an integer, got {value!r}")


def pack_field(kind: str, value: Any, context: Mapping[str, int]) -> bytes:
    if kind in INT_FORMATS:
        number = resolve_int(value, context)
        try:
            return struct.pack(INT_FORMATS[kind], number)
        except struct.error as exc:
            raise ValueSpecError(f"{kind}: {number} does not fit") from exc
    if kind == "ipv4":
        try:
            return ipaddress.IPv4Address(str(value)).packed
        except ValueError as exc:
            raise ValueSpecError(f"ipv4: {value!r} is not an IPv4 address") from exc
    if kind == "hex":
        try:
            return bytes.fromhex(str(value).replace(":", "").replace(" ", ""))
        except ValueError as exc:
            raise ValueSpecError(f"hex: {value!r} is not hex") from exc
    raise ValueSpecError(f"unknown field kind {kind!r} (known: {', '.join(KINDS)})")


def pack(spec: Any, default_kind: str, context: Mapping[str, int] | None = None) -> bytes:
    """Bytes for a key/value spec; `default_kind` is `u32` for keys, `u64` for values."""
    context = context or {}
    return b"".join(
        pack_field(kind, value, context) for kind, value in fields_of(spec, default_kind)
    )


def validate(spec: Any, default_kind: str) -> None:
    """Raise ValueSpecError unless `spec` packs (placeholders checked by name, filled with 0)."""
    for _kind, value in fields_of(spec, default_kind):
        if isinstance(value, str) and "{" in value:
            check_placeholders(value)
    pack(spec, default_kind, dict.fromkeys(PLACEHOLDERS, 0))


def describe(spec: Any, default_kind: str, context: Mapping[str, int] | None = None) -> str:
    """A short human form of a spec: `0`, `192.0.2.1`, `24/192.0.2.0`."""
    context = context or {}
    parts = []
    for kind, value in fields_of(spec, default_kind):
        parts.append(str(resolve_int(value, context)) if kind in INT_FORMATS else str(value))
    return "/".join(parts)


def unpack_int(data: bytes) -> int:
    """A little-endian unsigned integer of any width (map values are host order)."""
    return int.from_bytes(data, "little")
