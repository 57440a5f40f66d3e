"""Test packets described as layers in lab.yaml, built with scapy, and compared field by field.

A packet spec is a mapping of layers, outermost first (see docs/lab-format.md, "Packets"):
`{eth: {}, ipv4: {src: 192.0.2.1}, udp: {dport: 9999}, payload: {len: 16}, truncate: 30}`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.packet import Packet, Raw

DEFAULT_SRC_MAC = "02:00:00:00:00:01"
DEFAULT_DST_MAC = "02:00:00:00:00:02"
DEFAULT_SRC_IP = "192.0.2.1"
DEFAULT_DST_IP = "198.51.100.1"
DEFAULT_SRC_IP6 = "2001:db8::1"
DEFAULT_DST_IP6 = "2001:db8::2"

# layer -> (scapy class, {our field name: scapy field name}, defaults)
LAYERS: dict[str, tuple[type[Packet], dict[str, str], dict[str, Any]]] = {
    "eth": (
        Ether,
        {"src": "src", "dst": "dst", "type": "type"},
        {"src": DEFAULT_SRC_MAC, "dst": DEFAULT_DST_MAC},
    ),
    "vlan": (Dot1Q, {"vid": "vlan", "prio": "prio", "type": "type"}, {}),
    "arp": (
        ARP,
        {"op": "op", "hwsrc": "hwsrc", "psrc": "psrc", "hwdst": "hwdst", "pdst": "pdst"},
        {"psrc": DEFAULT_SRC_IP, "pdst": DEFAULT_DST_IP, "hwsrc": DEFAULT_SRC_MAC},
    ),
    "ipv4": (
        IP,
        {
            "src": "src",
            "dst": "dst",
            "ttl": "ttl",
            "tos": "tos",
            "proto": "proto",
            "ihl": "ihl",
            "id": "id",
            "flags": "flags",
            "frag": "frag",
            "len": "len",
            "chksum": "chksum",
            "options": "options",
        },
        {"src": DEFAULT_SRC_IP, "dst": DEFAULT_DST_IP, "ttl": 64},
    ),
    "ipv6": (
        IPv6,
        {"src": "src", "dst": "dst", "nh": "nh", "hlim": "hlim", "tc": "tc"},
        {"src": DEFAULT_SRC_IP6, "dst": DEFAULT_DST_IP6},
    ),
    "udp": (UDP, {"sport": "sport", "dport": "dport", "len": "len", "chksum": "chksum"}, {}),
    "tcp": (
        TCP,
        {"sport": "sport", "dport": "dport", "flags": "flags", "seq": "seq", "ack": "ack"},
        {},
    ),
    "icmp": (
        ICMP,
        {"type": "type", "code": "code", "id": "id", "seq": "seq", "chksum": "chksum"},
        {},
    ),
}
EXTRA_KEYS = ("payload", "raw", "truncate")
# names used when reporting differences, scapy class name -> our layer name
REPORT_NAMES = {cls.__name__: name for name, (cls, _names, _defaults) in LAYERS.items()}
REPORT_NAMES.update({"Raw": "payload", "Padding": "padding"})


class PacketSpecError(ValueError):
    """A packet spec that cannot be built; the message names the field at fault."""


def _ip_options(value: Any) -> list[IPOption] | bytes:
    """`options`: a hex string, or a list of raw hex strings / `{nop: N}` items."""
    if isinstance(value, str):
        return _hex(value, "options")
    if not isinstance(value, list):
        raise PacketSpecError(f"ipv4.options: expected a list or hex, got {value!r}")
    raw = b""
    for item in value:
        if isinstance(item, Mapping) and set(item) == {"nop"}:
            raw += b"\x01" * int(item["nop"])
        elif isinstance(item, str):
            raw += _hex(item, "options")
        else:
            raise PacketSpecError(f"ipv4.options: unknown option {item!r}")
    return raw


def _hex(value: Any, where: str) -> bytes:
    try:
        return bytes.fromhex(str(value).replace(":", "").replace(" ", ""))
    except ValueError as exc:
        raise PacketSpecError(f"{where}: {value!r} is not hex") from exc


def _layer(name: str, fields: Any) -> Packet:
    cls, names, defaults = LAYERS[name]
    if fields is None:
        fields = {}
    if not isinstance(fields, Mapping):
        raise PacketSpecError(f"{name}: expected a mapping of fields, got {fields!r}")
    kwargs: dict[str, Any] = dict(defaults)
    for field, value in fields.items():
        if field not in names:
            raise PacketSpecError(f"{name}.{field}: unknown field (known: {', '.join(names)})")
        kwargs[names[field]] = _ip_options(value) if field == "options" else value
    try:
        layer = cls(**kwargs)
        bytes(layer)  # surface bad field values now, naming the layer
    except Exception as exc:  # scapy raises many types for bad values
        raise PacketSpecError(f"{name}: {exc}") from exc
    return layer


def _payload(value: Any) -> bytes:
    if not isinstance(value, Mapping) or len(value) != 1:
        raise PacketSpecError(f"payload: expected one of len/hex/text, got {value!r}")
    ((kind, content),) = value.items()
    if kind == "len":
        if not isinstance(content, int) or content < 0:
            raise PacketSpecError(f"payload.len: expected a length, got {content!r}")
        return bytes(i % 256 for i in range(content))
    if kind == "hex":
        return _hex(content, "payload.hex")
    if kind == "text":
        return str(content).encode()
    raise PacketSpecError(f"payload.{kind}: unknown payload kind (known: len, hex, text)")


# Frames already built, by their spec's repr: scapy takes milliseconds a frame, and every
# reading of the curriculum (load_content, check_content, a worker's lab spec) builds the
# same few hundred. Bounded: playground runs bring specs of their own.
_built: dict[str, bytes] = {}
MAX_BUILT = 4096


def build(spec: Mapping[str, Any]) -> bytes:
    """The frame bytes for a packet spec (checksums and lengths filled in by scapy)."""
    if not isinstance(spec, Mapping) or not spec:
        raise PacketSpecError(f"expected a mapping of layers, got {spec!r}")
    key = repr(spec)  # YAML's plain types: equal reprs, equal specs (1 and "1" differ)
    frame = _built.get(key)
    if frame is None:
        frame = _build(spec)
        if len(_built) >= MAX_BUILT:
            _built.clear()
        _built[key] = frame
    return frame


def _build(spec: Mapping[str, Any]) -> bytes:
    packet: Packet | None = None
    tail = b""
    for name, fields in spec.items():
        if name in LAYERS:
            if tail:
                raise PacketSpecError(f"{name}: a layer cannot follow payload/raw bytes")
            layer = _layer(name, fields)
            packet = layer if packet is None else packet / layer
        elif name == "payload":
            tail += _payload(fields)
        elif name == "raw":
            tail += _hex(fields, "raw")
        elif name != "truncate":
            known = ", ".join((*LAYERS, *EXTRA_KEYS))
            raise PacketSpecError(f"{name}: unknown layer (known: {known})")
    frame = (bytes(packet / Raw(tail)) if tail else bytes(packet)) if packet else tail
    if "truncate" in spec:
        length = spec["truncate"]
        if not isinstance(length, int) or not 0 < length <= len(frame):
            raise PacketSpecError(f"truncate: expected 1..{len(frame)}, got {length!r}")
        frame = frame[:length]
    return frame


def with_overrides(spec: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The spec with some layer fields replaced (used to describe an expected output)."""
    merged = copy.deepcopy(dict(spec))
    for layer, fields in overrides.items():
        if layer not in merged:
            raise PacketSpecError(f"{layer}: the input packet has no such layer to override")
        if not isinstance(fields, Mapping):
            raise PacketSpecError(f"{layer}: expected a mapping of fields, got {fields!r}")
        merged[layer] = {**(merged[layer] or {}), **fields}
    return merged


def length(spec: Mapping[str, Any]) -> int:
    return len(build(spec))


def ethertype(frame: bytes) -> int:
    return int.from_bytes(frame[12:14], "big") if len(frame) >= 14 else 0


def ipv4_proto(frame: bytes) -> int:
    return frame[23] if ethertype(frame) == 0x0800 and len(frame) >= 34 else 0


HEX_FIELDS = ("chksum", "type", "tos", "proto", "flags", "nh", "tc")


def _format(name: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return hex(value) if name.split(".")[-1] in HEX_FIELDS else str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list):
        return b"".join(bytes(o) for o in value).hex()
    return str(value)


def _flat_fields(frame: bytes) -> list[tuple[str, Any]]:
    """(layer.field, value) pairs of a decoded frame, in wire order."""
    pairs: list[tuple[str, Any]] = []
    layer: Packet | None = Ether(frame) if len(frame) >= 14 else Raw(frame)
    while layer is not None and not isinstance(layer, bytes):
        prefix = REPORT_NAMES.get(type(layer).__name__, type(layer).__name__.lower())
        for field in layer.fields_desc:
            pairs.append((f"{prefix}.{field.name}", layer.getfieldval(field.name)))
        layer = layer.payload if layer.payload else None
    return pairs


def equivalent(expected: bytes, actual: bytes) -> bool:
    """Equal, or differing only in checksums (IPv4 header, TCP) that are still valid.

    Ones' complement arithmetic has two zeros: an incremental update may write 0xffff
    where a full recomputation writes 0x0000, and both verify.
    """
    if expected == actual:
        return True
    if len(expected) != len(actual) or ethertype(actual) != 0x0800:
        return False
    checks = {IPV4_CHECKSUM_AT: _ipv4_checksum_ok}
    tcp_at = _tcp_checksum_at(actual)
    if tcp_at is not None:
        checks[tcp_at] = _tcp_checksum_ok
    masked_expected, masked_actual = bytearray(expected), bytearray(actual)
    for at in checks:
        masked_expected[at : at + 2] = masked_actual[at : at + 2] = b"\0\0"
    if masked_expected != masked_actual:
        return False
    return all(
        ok(actual) for at, ok in checks.items() if expected[at : at + 2] != actual[at : at + 2]
    )


IPV4_CHECKSUM_AT = 14 + 10


def _tcp_checksum_at(frame: bytes) -> int | None:
    """Where the TCP checksum of an unfragmented IPv4/TCP frame is, when it is there."""
    if len(frame) < 34 or ethertype(frame) != 0x0800 or frame[23] != 6:
        return None
    if int.from_bytes(frame[20:22], "big") & 0x3FFF:  # MF or a fragment offset
        return None
    at = 14 + (frame[14] & 0x0F) * 4 + 16
    return at if at + 2 <= len(frame) else None


def _ones_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def _tcp_checksum_ok(frame: bytes) -> bool:
    ihl = (frame[14] & 0x0F) * 4
    total_length = int.from_bytes(frame[16:18], "big")
    segment = frame[14 + ihl : 14 + total_length]
    if len(segment) != total_length - ihl:
        return False  # cut short: it cannot be verified
    pseudo = frame[26:34] + bytes([0, 6]) + len(segment).to_bytes(2, "big")
    return _ones_sum(pseudo + segment) == 0xFFFF


FRAME_LENGTH, FRAME_BYTES = "frame.length", "frame.bytes"
CHECKSUM_NOT_UPDATED, CHECKSUM_INVALID = "checksum_not_updated", "checksum_invalid"


@dataclass(frozen=True)
class Difference:
    """One way two frames differ, as data: a header field (`eth.src`) with the expected and
    the actual value as the lab writes them, the frame's length, or (when no field tells)
    the offsets of the bytes that differ. `words()` says it in the active language."""

    field: str
    expected: str = ""
    actual: str = ""
    note: str = ""  # CHECKSUM_NOT_UPDATED or CHECKSUM_INVALID, for ipv4.chksum, tcp.chksum
    offsets: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "expected": self.expected}
        data["actual"] = self.actual
        if self.note:
            data["note"] = self.note
        if self.offsets:
            data["offsets"] = list(self.offsets)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Difference:
        return cls(
            str(data.get("field") or ""),
            str(data.get("expected") or ""),
            str(data.get("actual") or ""),
            str(data.get("note") or ""),
            tuple(data.get("offsets") or ()),
        )

    def words(self) -> str:
        if self.field == FRAME_LENGTH:
            message = _("frame length: expected %(expected)s bytes, got %(actual)s")
            return message % {"expected": self.expected, "actual": self.actual}
        if self.field == FRAME_BYTES:
            more = " ..." if len(self.offsets) > 8 else ""
            shown = ", ".join(map(str, self.offsets[:8])) + more
            return _("bytes differ at offsets %(offsets)s") % {"offsets": shown}
        message = _("%(field)s: expected %(expected)s, got %(actual)s%(note)s")
        return message % {
            "field": self.field,
            "expected": value_words(self.expected),
            "actual": value_words(self.actual),
            "note": NOTES[self.note]() if self.note else "",
        }


NOTES = {
    CHECKSUM_NOT_UPDATED: lambda: _(" (checksum not updated)"),
    CHECKSUM_INVALID: lambda: _(" (checksum invalid)"),
}


def value_words(value: str) -> str:
    """A field's value as a reader sees it: an empty one is `(none)`."""
    return value or _("(none)")


def differences(expected: bytes, actual: bytes, original: bytes | None = None) -> list[Difference]:
    """What differs between two frames: each header field (`eth.src`), else the length or
    the offsets of the bytes.

    `original` is the input frame, used to tell "checksum not updated" from "invalid".
    """
    if equivalent(expected, actual):
        return []
    if len(expected) != len(actual):
        return [Difference(FRAME_LENGTH, str(len(expected)), str(len(actual)))]
    want, got = _flat_fields(expected), _flat_fields(actual)
    found: list[Difference] = []
    if [name for name, _value in want] == [name for name, _value in got]:
        for (name, a), (_name, b) in zip(want, got, strict=True):
            if a != b:
                note = _checksum_note(name, actual, original)
                found.append(Difference(name, _format(name, a), _format(name, b), note))
    if not found:
        offsets = [i for i, (a, b) in enumerate(zip(expected, actual, strict=True)) if a != b]
        found.append(Difference(FRAME_BYTES, offsets=tuple(offsets)))
    return found


def _checksum_note(name: str, actual: bytes, original: bytes | None) -> str:
    if name == "ipv4.chksum":
        at, ok = IPV4_CHECKSUM_AT, _ipv4_checksum_ok(actual)
    elif name == "tcp.chksum" and _tcp_checksum_at(actual) is not None:
        at, ok = _tcp_checksum_at(actual) or 0, _tcp_checksum_ok(actual)
    else:
        return ""
    if ok:
        return ""
    if original is not None and original[at : at + 2] == actual[at : at + 2]:
        return CHECKSUM_NOT_UPDATED
    return CHECKSUM_INVALID


def _ipv4_checksum_ok(frame: bytes) -> bool:
    if ethertype(frame) != 0x0800 or len(frame) < 34:
        return True
    ihl = (frame[14] & 0x0F) * 4
    header = frame[14 : 14 + ihl]
    total = sum(int.from_bytes(header[i : i + 2], "big") for i in range(0, len(header) - 1, 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total == 0xFFFF
