"""Generated test traffic: frames drawn with a seed from a lab's `differential:` section.

A lab's fixed checks are a handful of hand-picked packets; the differential phase of
grading (labs/grading/differential.py) also runs a few hundred generated frames through
the learner's program and the lab's reference, and compares what they did. This module
owns the generator: its settings (`TrafficSpec`, validated from lab.yaml, see
docs/lab-format.md "Generated traffic"), and `generate(traffic, seed, program_type)`, the
same frames for the same seed.

Each frame is a packet spec in the lab.yaml packet format (`labs.packets`) plus its bytes.
The bytes come from a small struct-based writer instead of scapy (`packets.build`): scapy
takes ~0.5 ms a frame, which would be most of a run's time for 200 frames.
tests/test_traffic_generator.py holds the writer to `packets.build` byte for byte.

The generator only makes frames whose right answer the contract settles (CURRICULUM.md):
no IPv4 version nibble other than 4 under EtherType 0x0800, well-formed IPv4 options,
echo requests and replies with code 0, fragments only where a lab reads no transport
header (`depth` ethernet or network: a later fragment has no ports, so whether it "goes to
port 9999" is open); where a lab leaves a freedom (looking through a VLAN tag, how much of
an IPv4 header with options must fit) its section says so (`vlan_payload`, `depth`) and
no frame asks the question.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("ipv4", "ipv6", "arp", "vlan", "other")
PROTOCOLS = ("udp", "tcp", "icmp", "other")
COMPARED = ("action", "output", "trace", "maps")
DEPTHS = ("ethernet", "network", "transport")
VLAN_PAYLOADS = ("ipv4", "other")
IP_OPTIONS = ("nop", "router_alert", "record_route", "timestamp")
# Bumped whenever the same seed would draw other frames: a verdict names the version
# its seed drew with (`grade --seed` replays a run's frames with the same version).
VERSION = 5
DEFAULT_FRAMES = 200
MAX_FRAMES = 500
ETH_HLEN = 14
MIN_FRAME_LEN = ETH_HLEN
MAX_FRAME_LEN = 1514
# skb-based program types: BPF_PROG_TEST_RUN refuses a frame whose IPv4 or IPv6 header
# does not fit (labs/spec.py SKB_MIN_FRAME).
SKB_PROGRAM_TYPES = ("tc", "socket")
SKB_MIN_FRAME = {0x0800: ETH_HLEN + 20, 0x86DD: ETH_HLEN + 40}

ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, ETH_P_8021Q = 0x0800, 0x86DD, 0x0806, 0x8100
# EtherTypes that are not IPv4 (some carry an IPv4-looking header: a program testing the
# version nibble instead of the EtherType must show it); 0x0008 is 0x0800 byte-swapped.
OTHER_ETHERTYPES = (0x88B5, 0x88B6, 0x0008, 0x0801, 0x8847, 0x88CC, 0x9000, 0x0042, 0xFFFF)
# 33 DCCP, 132 SCTP and 136 UDP-Lite put their ports where UDP and TCP do: "other"
# protocols carry a header that looks like the lab's (ports, or an ICMP type), so a
# program that tests "not TCP" instead of "UDP", or no protocol at all, shows
OTHER_IP_PROTOCOLS = (0, 2, 4, 33, 41, 47, 50, 89, 132, 136, 253, 255)
PORT_PROTOCOLS = (33, 132, 136)
COMMON_ICMP_TYPES = (0, 3, 8, 11)
# ICMP types whose header is 8 bytes, as labs.packets builds them (not 13/14, 17/18)
OTHER_ICMP_TYPES = (4, 5, 9, 10, 12, 15, 16, 30, 40, 42, 43, 137, 255)
OPTION_LENGTHS = (4, 8, 12, 16, 20, 24, 40)
ANY_OTHER_PROTOCOL = tuple(p for p in range(256) if p not in (1, 6, 17))
# Destination MACs besides unicast and broadcast: multicast groups (RFC 7042's
# documentation group, an IPv6 one), so that a program skipping group frames shows
MULTICAST_MAC_PREFIXES = ("01:00:5e:90:10:", "33:33:00:00:00:")
# An IPv4 fragment's flags and offset (in 8-byte units): a first fragment (more to come),
# a middle one, a last one
FRAGMENTS = ((1, 0), (1, 185), (0, 370))
DOC_NETWORKS = tuple(
    ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
TCP_FLAGS = (0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x01, 0x29)


class TrafficSpecError(ValueError):
    """A `differential:` section that cannot be used; the message names the field."""


@dataclass(frozen=True)
class TrafficSpec:
    """A lab's generator settings (lab.yaml `differential:`), every field with a default."""

    frames: int = DEFAULT_FRAMES
    mix: dict[str, int] = field(
        default_factory=lambda: {"ipv4": 10, "ipv6": 2, "arp": 2, "vlan": 2, "other": 2}
    )
    protocols: dict[str, int] = field(
        default_factory=lambda: {"udp": 4, "tcp": 4, "icmp": 3, "other": 1}
    )
    ports: tuple[int, ...] = ()
    addresses: tuple[str, ...] = ()
    ttl: tuple[int, ...] = ()
    tos: tuple[int, ...] = ()
    icmp_types: tuple[int, ...] = (0, 8)
    ipv4_options: float = 0.3
    ip_options: tuple[str, ...] = ("nop", "router_alert")  # which options fill them
    truncated: float = 0.25
    max_len: int = MAX_FRAME_LEN
    depth: str = "transport"
    vlan_payload: str = "ipv4"
    compare: tuple[str, ...] = COMPARED
    maps: tuple[str, ...] | None = None  # None: every map of the lab's `maps`

    def to_dict(self) -> dict[str, Any]:
        data = {
            "frames": self.frames,
            "mix": dict(self.mix),
            "protocols": dict(self.protocols),
            "ports": list(self.ports),
            "addresses": list(self.addresses),
            "ttl": list(self.ttl),
            "tos": list(self.tos),
            "icmp_types": list(self.icmp_types),
            "ipv4_options": self.ipv4_options,
            "ip_options": list(self.ip_options),
            "truncated": self.truncated,
            "max_len": self.max_len,
            "depth": self.depth,
            "vlan_payload": self.vlan_payload,
            "compare": list(self.compare),
        }
        if self.maps is not None:
            data["maps"] = list(self.maps)
        return data


# ---------------------------------------------------------------------------------------
# reading the section


def _weights(raw: Any, names: tuple[str, ...], where: str, default: dict[str, int]) -> dict:
    if raw is None:
        return dict(default)
    if not isinstance(raw, Mapping):
        raise TrafficSpecError(f"{where}: expected a mapping of {', '.join(names)} to weights")
    weights = {}
    for name, weight in raw.items():
        if name not in names:
            raise TrafficSpecError(f"{where}.{name}: unknown (known: {', '.join(names)})")
        weights[name] = _int(weight, f"{where}.{name}", 0, 1000)
    if not any(weights.values()):
        raise TrafficSpecError(f"{where}: at least one weight must be above 0")
    return weights


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TrafficSpecError(f"{where}: expected an integer from {low} to {high}, got {value!r}")
    return value


def _ints(raw: Any, where: str, low: int, high: int) -> tuple[int, ...]:
    if not isinstance(raw, list):
        raise TrafficSpecError(f"{where}: expected a list of integers")
    return tuple(_int(v, f"{where}[{i}]", low, high) for i, v in enumerate(raw))


def _share(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
        raise TrafficSpecError(f"{where}: expected a share from 0 to 1, got {raw!r}")
    return float(raw)


def _choice(raw: Any, where: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise TrafficSpecError(f"{where}: expected one of {', '.join(allowed)}, got {raw!r}")
    return str(raw)


def _names(raw: Any, where: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise TrafficSpecError(f"{where}: expected a list of names")
    for value in raw:
        if allowed is not None and value not in allowed:
            raise TrafficSpecError(f"{where}: unknown {value!r} (known: {', '.join(allowed)})")
    return tuple(raw)


def _addresses(raw: Any, where: str) -> tuple[str, ...]:
    names = _names(raw, where)
    for i, name in enumerate(names):
        try:
            network = ipaddress.IPv4Network(name, strict=True)
        except ValueError as exc:
            raise TrafficSpecError(f"{where}[{i}]: {exc}") from exc
        if not any(network.subnet_of(doc) for doc in DOC_NETWORKS):
            raise TrafficSpecError(
                f"{where}[{i}]: {name} is outside the documentation ranges "
                "(192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24)"
            )
    return names


def _option_kinds(raw: Any, where: str) -> tuple[str, ...]:
    kinds = _names(raw, where, IP_OPTIONS)
    if not kinds:
        raise TrafficSpecError(f"{where}: expected at least one of {', '.join(IP_OPTIONS)}")
    return kinds


SECTION_KEYS = tuple(TrafficSpec.__dataclass_fields__)


def parse_traffic(raw: Any, where: str = "differential") -> TrafficSpec:
    """The settings of a `differential:` mapping; TrafficSpecError names a bad field."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise TrafficSpecError(f"{where}: expected a mapping")
    for key in raw:
        if key not in SECTION_KEYS:
            raise TrafficSpecError(f"{where}.{key}: unknown (known: {', '.join(SECTION_KEYS)})")
    base = TrafficSpec()

    def at(key: str) -> str:
        return f"{where}.{key}"

    max_len = _int(raw.get("max_len", MAX_FRAME_LEN), at("max_len"), 64, MAX_FRAME_LEN)
    maps = raw.get("maps")
    return TrafficSpec(
        frames=_int(raw.get("frames", DEFAULT_FRAMES), at("frames"), 1, MAX_FRAMES),
        mix=_weights(raw.get("mix"), KINDS, at("mix"), base.mix),
        protocols=_weights(raw.get("protocols"), PROTOCOLS, at("protocols"), base.protocols),
        ports=_ints(raw.get("ports", []), at("ports"), 0, 65535),
        addresses=_addresses(raw.get("addresses", []), at("addresses")),
        ttl=_ints(raw.get("ttl", []), at("ttl"), 0, 255),
        tos=_ints(raw.get("tos", []), at("tos"), 0, 255),
        icmp_types=_ints(raw.get("icmp_types", list(base.icmp_types)), at("icmp_types"), 0, 255),
        ipv4_options=_share(raw.get("ipv4_options", base.ipv4_options), at("ipv4_options")),
        ip_options=_option_kinds(raw.get("ip_options", list(base.ip_options)), at("ip_options")),
        truncated=_share(raw.get("truncated", base.truncated), at("truncated")),
        max_len=max_len,
        depth=_choice(raw.get("depth", base.depth), at("depth"), DEPTHS),
        vlan_payload=_choice(
            raw.get("vlan_payload", base.vlan_payload), at("vlan_payload"), VLAN_PAYLOADS
        ),
        compare=_names(raw.get("compare", list(COMPARED)), at("compare"), COMPARED),
        maps=_names(maps, at("maps")) if maps is not None else None,
    )


# ---------------------------------------------------------------------------------------
# frames


@dataclass(frozen=True)
class Frame:
    spec: dict[str, Any]  # the packet in the lab.yaml packet format (packets.build makes data)
    data: bytes


def generate(traffic: TrafficSpec, seed: int, program_type: str) -> list[Frame]:
    """`traffic.frames` frames, the same for the same seed: first every header boundary of
    a few typical frames cut short (the lab's interesting values in them), then random
    frames drawn from the section's weights and values."""
    draw = _Draw(traffic, random.Random(seed), program_type in SKB_PROGRAM_TYPES)
    frames: list[Frame] = []
    seen: set[bytes] = set()
    for spec, data in draw.boundary_frames():
        if len(frames) < traffic.frames // 3:
            _add(frames, seen, spec, data)
    for spec, data in draw.target_frames():
        if len(frames) < traffic.frames:
            _add(frames, seen, spec, data)
    attempts = 0
    while len(frames) < traffic.frames:
        attempts += 1  # a narrow section may not have enough distinct frames: repeat then
        _add(frames, seen, *draw.frame(), allow_repeat=attempts > 4 * traffic.frames)
    return frames


def _add(
    frames: list[Frame], seen: set[bytes], spec: dict, data: bytes, allow_repeat: bool = False
) -> None:
    if data in seen and not allow_repeat:
        return
    seen.add(data)
    frames.append(Frame(spec, data))


class _Draw:
    """Random choices for one run, biased toward the lab's interesting values."""

    def __init__(self, traffic: TrafficSpec, rng: random.Random, skb: bool) -> None:
        self.t, self.rng, self.skb = traffic, rng, skb
        self.networks = [ipaddress.IPv4Network(a) for a in traffic.addresses]

    # -- whole frames ---------------------------------------------------------------------

    def boundary_frames(self) -> list[tuple[dict[str, Any], bytes]]:
        """Typical frames, each cut at every header boundary and one byte short of it."""
        options = (0, self.rng.choice(OPTION_LENGTHS), 40)
        bases = [self.ipv4_frame(p, options=o) for p in ("udp", "tcp", "icmp") for o in options]
        bases.append(self.ipv6_frame("udp"))
        if self.t.mix.get("vlan"):
            bases.append(self.vlan_frame())
        frames = []
        for base in bases:
            full = assemble(base)
            for cut in self.cuts(base):
                if cut < len(full):
                    frames.append(({**base, "truncate": cut}, full[:cut]))
        return frames

    def target_frames(self) -> list[tuple[dict[str, Any], bytes]]:
        """Whole IPv4 UDP and TCP frames carrying the lab's values exactly: each port as the
        destination, each network's first address as the destination and as the source,
        and each port with each address. Random frames hit such a combination only now and
        then (xdp-lb's TCP to 203.0.113.10:80 in about 3 frames in 100), so without these a
        seed could draw none and a program ignoring the lab's case would agree with the
        reference. Each comes without IPv4 options and with 40 bytes of them (where the lab
        draws options). Each port also goes to DCCP, SCTP and UDP-Lite, whose ports sit where
        UDP's do: a program testing "not TCP" or no protocol at all reads it there."""
        if not self.t.ports and not self.networks:
            return []
        ports: tuple[int | None, ...] = self.t.ports or (None,)
        places = [(n, end) for n in self.networks for end in ("dst", "src")] or [(None, "dst")]
        # no options, and the longest (IHL 15): a program that honours only some IHLs shows
        lengths = (0, 40) if self.t.ipv4_options else (0,)
        frames = []
        for protocol in ("udp", "tcp"):
            if not self.t.protocols.get(protocol):
                continue
            for port, (network, end), options in itertools.product(ports, places, lengths):
                spec = self.ipv4_frame(protocol, options=options)
                if port is not None:
                    spec[protocol].update(sport=self.rng.randint(1024, 65535), dport=port)
                if network is not None:
                    spec["ipv4"][end] = str(network.network_address)
                self.fill(spec)
                frames.append((spec, assemble(spec)))
        if self.t.protocols.get("other"):
            for port in self.t.ports:  # the port behind a protocol that is neither
                for number in PORT_PROTOCOLS:
                    spec = self.ipv4_frame("other", options=0)
                    spec["ipv4"]["proto"] = number
                    sport = self.rng.randint(1024, 65535)
                    spec["raw"] = (struct.pack("!HH", sport, port) + bytes(4)).hex()
                    self.fill(spec)
                    frames.append((spec, assemble(spec)))
        return frames

    def frame(self) -> tuple[dict[str, Any], bytes]:
        spec = self.frame_spec()
        data = assemble(spec)
        if self.rng.random() < self.t.truncated:
            cuts = [c for c in self.cuts(spec) if c < len(data)]
            if cuts:
                spec["truncate"] = self.rng.choice(cuts)
                data = data[: spec["truncate"]]
        return spec, data

    def frame_spec(self) -> dict[str, Any]:
        kind = self.weighted(self.t.mix)
        protocol = self.weighted(self.t.protocols)
        if kind == "ipv4":
            spec = self.ipv4_frame(protocol)
        elif kind == "ipv6":
            spec = self.ipv6_frame(protocol)
        elif kind == "arp":
            spec = self.arp_frame()
        elif kind == "vlan":
            spec = self.vlan_frame()
        else:
            spec = self.ipv4_frame(protocol, ethertype=self.rng.choice(OTHER_ETHERTYPES))
        self.fill(spec)
        return spec

    def eth(self, ethertype: int) -> dict[str, Any]:
        src, dst = self.mac(), self.mac()
        roll = self.rng.random()
        if roll < 0.1:
            dst = "ff:ff:ff:ff:ff:ff"
        elif roll < 0.2:
            dst = self.rng.choice(MULTICAST_MAC_PREFIXES) + f"{self.rng.getrandbits(8):02x}"
        return {"src": src, "dst": dst, "type": ethertype}

    def ipv4_frame(
        self, protocol: str, options: int | None = None, ethertype: int = ETH_P_IP
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {"eth": self.eth(ethertype), "ipv4": self.ipv4(protocol, options)}
        spec.update(self.transport(protocol, v6=False))
        return spec

    def ipv6_frame(self, protocol: str) -> dict[str, Any]:
        nh = {"udp": 17, "tcp": 6, "icmp": 58}.get(protocol, 59)
        spec: dict[str, Any] = {
            "eth": self.eth(ETH_P_IPV6),
            "ipv6": {
                "src": self.address6(),
                "dst": self.address6(),
                "nh": nh,
                "hlim": self.ttl(),
                "tc": self.tos(),
            },
        }
        if protocol in ("udp", "tcp"):
            spec.update(self.transport(protocol, v6=True))
        elif protocol == "icmp":  # ICMPv6 echo request, as raw bytes (no checksum needed)
            spec["raw"] = bytes([128, 0, 0, 0, 0, 1, 0, 1]).hex()
        return spec

    def arp_frame(self) -> dict[str, Any]:
        return {
            "eth": self.eth(ETH_P_ARP),
            "arp": {
                "op": self.rng.choice((1, 2)),
                "hwsrc": self.mac(),
                "psrc": self.address(),
                "hwdst": "00:00:00:00:00:00",
                "pdst": self.address(),
            },
        }

    def vlan_frame(self) -> dict[str, Any]:
        if self.t.vlan_payload == "ipv4":
            inner_type, inner = ETH_P_IP, self.ipv4_frame(self.weighted(self.t.protocols))
        else:  # a lab where looking through the tag is free: nothing IPv4 inside
            inner = self.rng.choice((self.arp_frame, lambda: self.ipv6_frame("udp")))()
            inner_type = int(inner["eth"]["type"])
        inner.pop("eth")
        vlan = {"vid": self.rng.randint(1, 4094), "prio": self.rng.randint(0, 7)}
        return {"eth": self.eth(ETH_P_8021Q), "vlan": {**vlan, "type": inner_type}, **inner}

    # -- headers --------------------------------------------------------------------------

    def ipv4(self, protocol: str, options: int | None) -> dict[str, Any]:
        header: dict[str, Any] = {
            "src": self.address(),
            "dst": self.address(),
            "ttl": self.ttl(),
            "tos": self.tos(),
            "id": self.rng.getrandbits(16),
            "flags": self.rng.choice((0, 2)),
            "frag": 0,
        }
        if self.t.depth != "transport" and self.chance(0.1):  # no transport header is read
            header["flags"], header["frag"] = self.rng.choice(FRAGMENTS)
        if protocol == "other":
            header["proto"] = self.other_protocol()
        if options is None:
            options = self.rng.choice(OPTION_LENGTHS) if self.chance(self.t.ipv4_options) else 0
        if options:
            header["options"] = self.options(options)
        return header

    def options(self, length: int) -> str:
        """Well-formed IPv4 options of `length` bytes, of the kinds the section names
        (NOP, Router Alert, Record Route, Timestamp), then EOL and padding."""
        out = b""
        if "nop" in self.t.ip_options and self.chance(0.3):  # alignment padding first
            out = b"\x01" * self.rng.randint(1, min(8, length - 1))
        while len(out) < length - 1:
            room = length - len(out)
            kind = self.rng.choice(self.t.ip_options)
            if kind == "router_alert" and room >= 4:
                out += b"\x94\x04\x00\x00"
            elif kind == "record_route" and room >= 7:
                slots = self.rng.randint(1, (room - 3) // 4)
                out += bytes([7, 3 + 4 * slots, 4]) + self.rng.randbytes(4 * slots)
            elif kind == "timestamp" and room >= 8:
                slots = self.rng.randint(1, (room - 4) // 4)
                out += bytes([0x44, 4 + 4 * slots, 5, 0]) + self.rng.randbytes(4 * slots)
            else:
                out += b"\x01"
        out += b"\x00" * (length - len(out))  # EOL, then padding
        return out.hex()

    def transport(self, protocol: str, v6: bool) -> dict[str, Any]:
        if protocol == "udp":
            sport, dport = self.port_pair()
            return {"udp": {"sport": sport, "dport": dport}}
        if protocol == "tcp":
            sport, dport = self.port_pair()
            tcp = {
                "sport": sport,
                "dport": dport,
                "flags": self.rng.choice(TCP_FLAGS),
                "seq": self.rng.getrandbits(32),
                "ack": self.rng.getrandbits(32),
            }
            return {"tcp": tcp}
        if protocol == "icmp" and not v6:
            kinds = (
                OTHER_ICMP_TYPES if self.chance(0.2) else (*self.t.icmp_types, *COMMON_ICMP_TYPES)
            )
            kind = self.rng.choice(kinds)
            if kind in (0, 8):
                icmp = {"type": kind, "code": 0, "id": self.rng.getrandbits(16)}
                return {"icmp": {**icmp, "seq": self.rng.getrandbits(16)}}
            return {"icmp": {"type": kind, "code": self.rng.randint(0, 15)}}
        if protocol == "other" and not v6:
            return {"raw": self.lookalike_header().hex()}
        return {}

    def lookalike_header(self) -> bytes:
        """8 bytes after an IPv4 header of another protocol: ports where UDP and TCP keep
        them, or an ICMP type and code."""
        if self.chance(0.5):
            sport, dport = self.port_pair()
            return struct.pack("!HH", sport, dport) + self.rng.randbytes(4)
        kind = self.rng.choice((*self.t.icmp_types, *COMMON_ICMP_TYPES))
        return bytes([kind, 0]) + self.rng.randbytes(6)

    def fill(self, spec: dict[str, Any]) -> None:
        """A payload: mostly short, some up to the largest frame; the pattern 0, 1, 2, ...
        or random bytes (a DNS filter that looks for a query's flags must not see only
        the pattern's)."""
        room = self.t.max_len - _headers_len(spec)
        if room <= 0:
            return
        roll = self.rng.random()
        if roll < 0.45:
            size = self.rng.randint(0, min(32, room))
        elif roll < 0.75:
            size = self.rng.randint(0, min(300, room))
        elif roll < 0.9:
            size = self.rng.randint(0, room)
        else:
            size = room
        if size and self.chance(0.5):  # random bytes: a program reading the payload shows
            spec["payload"] = {"hex": self.rng.randbytes(size).hex()}
        elif size:
            spec["payload"] = {"len": size}

    def cuts(self, spec: dict[str, Any]) -> list[int]:
        """Lengths that end a header, and one byte short of each, that the lab can judge."""
        offset, ends, options_span, l4 = ETH_HLEN, [ETH_HLEN], None, None
        if "vlan" in spec:
            offset += 4
            ends.append(offset)
        if "ipv4" in spec:
            options = len(bytes.fromhex(spec["ipv4"].get("options", "")))
            ends.append(offset + 20)
            if options:
                options_span = (offset + 20, offset + 20 + options)
            offset += 20 + options
            ends.append(offset)
        elif "ipv6" in spec:
            offset += 40
            ends.append(offset)
        elif "arp" in spec:
            ends.append(offset + 28)
        # (header, where its fields end, how much of it a lab reads first: ports, type)
        for name, fields, first in (
            ("udp", (2, 4, 8), 4),
            ("tcp", (2, 4, 20), 4),
            ("icmp", (1, 8), 1),
        ):
            if name in spec:
                ends += [offset + end for end in fields]
                l4 = (offset, first, fields[-1])
        cuts = sorted({c for end in ends for c in (end - 1, end)})
        return [c for c in cuts if self.judgeable(spec, c, options_span, l4)]

    def judgeable(
        self, spec: dict[str, Any], cut: int, options_span: tuple | None, l4: tuple | None
    ) -> bool:
        """Whether the contract settles what a program does with a frame cut at `cut`."""
        if cut < MIN_FRAME_LEN:
            return False
        if self.skb:
            ethertype = int(spec["eth"]["type"])
            if cut < SKB_MIN_FRAME.get(ethertype, 0):
                return False
        # a header whose options do not all fit: must it still count as IPv4? Labs that
        # read only the fixed header leave it open (depth: network)
        if options_span and self.t.depth == "network":
            return not options_span[0] <= cut < options_span[1]
        # a transport header holding its first field but not all of itself: a program
        # may test that the field fits, or the whole header (the fixed checks cut before
        # the field: CURRICULUM.md "too short for the headers a lab looks at")
        if l4 and self.t.depth == "transport":
            start, first_field, whole = l4
            return not start + first_field <= cut < start + whole
        return True

    # -- values ---------------------------------------------------------------------------

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def weighted(self, weights: Mapping[str, int]) -> str:
        names = [n for n, w in weights.items() if w]
        return self.rng.choices(names, [weights[n] for n in names])[0]

    def mac(self) -> str:
        if self.chance(0.3):
            return self.rng.choice(("02:00:00:00:00:01", "02:00:00:00:00:02"))
        return "02:" + self.rng.randbytes(5).hex(":")

    def near(self, values: tuple[int, ...], low: int, high: int) -> int:
        """One of `values`, a neighbour, or any value in [low, high]."""
        if values and self.chance(0.6):
            value = self.rng.choice(values) + self.rng.choice((0, 0, 0, -1, 1))
            return min(max(value, low), high)
        return (
            low + self.rng.getrandbits(8)
            if (low, high) == (0, 255)
            else self.rng.randint(low, high)
        )

    def ttl(self) -> int:
        if self.chance(0.1):
            return self.rng.choice((0, 1, 255))
        return self.near(self.t.ttl, 0, 255)

    def tos(self) -> int:
        if self.t.tos and self.chance(0.5):  # an interesting DSCP with any ECN bits
            return (self.rng.choice(self.t.tos) & 0xFC) | self.rng.getrandbits(2)
        return self.rng.getrandbits(8)

    def other_protocol(self) -> int:
        if self.chance(0.5):
            return self.rng.choice(OTHER_IP_PROTOCOLS)
        return self.rng.choice(ANY_OTHER_PROTOCOL)

    def port(self) -> int:
        """An interesting port, a neighbour, the same byte-swapped (a missing ntohs), one
        sharing only its high or its low byte (a comparison of one byte), or any."""
        ports, roll = self.t.ports, self.rng.random()
        if not ports or roll >= 0.8:
            return self.rng.getrandbits(16)
        value = self.rng.choice(ports)
        if roll < 0.4:
            return value
        if roll < 0.5:
            return min(max(value + self.rng.choice((-1, 1)), 0), 65535)
        if roll < 0.6:
            return ((value & 0xFF) << 8) | (value >> 8)
        if roll < 0.7:
            return value ^ self.rng.randint(1, 0xFF)
        return value ^ (self.rng.randint(1, 0xFF) << 8)

    def port_pair(self) -> tuple[int, int]:
        """(source, destination): the interesting port is usually the destination,
        sometimes the source only (a program reading the wrong field shows)."""
        sport, dport = self.rng.randint(1024, 65535), self.port()
        if self.chance(0.2):
            sport, dport = dport, self.rng.randint(1, 65535)
        return sport, dport

    def address(self) -> str:
        if self.networks and self.chance(0.6):
            return self.near_network(self.rng.choice(self.networks))
        network = self.rng.choice(DOC_NETWORKS)
        return _ntoa(int(network.network_address) + self.rng.randint(0, 255))

    def near_network(self, network: ipaddress.IPv4Network) -> str:
        """An address of, at the edge of, or just outside `network` (in the doc ranges)."""
        first, last = int(network.network_address), int(network.broadcast_address)
        candidates = [first, last, first - 1, last + 1, self.rng.randint(first, last)]
        value = self.rng.choice(candidates) % 2**32
        if not any(value >> 8 == int(doc.network_address) >> 8 for doc in DOC_NETWORKS):
            value = self.rng.randint(first, last)
        return _ntoa(value)

    def address6(self) -> str:
        return f"2001:db8::{self.rng.randint(1, 0xFFFF):x}"


def _ntoa(value: int) -> str:
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


# ---------------------------------------------------------------------------------------
# the writer: packet specs -> bytes, the subset of labs.packets the generator uses


def assemble(spec: Mapping[str, Any]) -> bytes:
    """The bytes `labs.packets.build(spec)` makes, for the specs `generate` writes."""
    frame = b""
    layers = [name for name in spec if name not in ("truncate",)]
    tail = _tail(spec)
    upper = tail
    # build inside out: each layer wraps what follows it
    for name in reversed(layers):
        if name in ("payload", "raw"):
            continue
        upper = _LAYER_WRITERS[name](spec[name], upper, spec)
    frame = upper
    if "truncate" in spec:
        frame = frame[: spec["truncate"]]
    return frame


# payload {len: N} is the bytes 0, 1, 2, ... (labs.packets)
PAYLOAD_PATTERN = bytes(range(256)) * (MAX_FRAME_LEN // 256 + 1)


def _tail(spec: Mapping[str, Any]) -> bytes:
    tail = b""
    for name, value in spec.items():
        if name == "payload" and "hex" in value:
            tail += bytes.fromhex(value["hex"])
        elif name == "payload":
            tail += PAYLOAD_PATTERN[: value["len"]]
        elif name == "raw":
            tail += bytes.fromhex(value)
    return tail


LAYER_LEN = {
    "eth": 14,
    "vlan": 4,
    "arp": 28,
    "ipv4": 20,
    "ipv6": 40,
    "udp": 8,
    "tcp": 20,
    "icmp": 8,
}


def _headers_len(spec: Mapping[str, Any]) -> int:
    total = sum(LAYER_LEN.get(name, 0) for name in spec)
    if "ipv4" in spec:
        total += len(spec["ipv4"].get("options", "")) // 2
    return total + len(_tail(spec))


def _mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _eth(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    return _mac(fields["dst"]) + _mac(fields["src"]) + struct.pack("!H", fields["type"]) + upper


def _vlan(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    tci = (fields["prio"] << 13) | fields["vid"]
    return struct.pack("!HH", tci, fields["type"]) + upper


def _arp(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    head = struct.pack("!HHBBH", 1, ETH_P_IP, 6, 4, fields["op"])
    return (
        head
        + _mac(fields["hwsrc"])
        + socket.inet_aton(fields["psrc"])
        + _mac(fields["hwdst"])
        + socket.inet_aton(fields["pdst"])
        + upper
    )


IP_PROTOCOL_OF = {"udp": 17, "tcp": 6, "icmp": 1}


def _next_protocol(spec: Mapping[str, Any], after: str, default: int) -> int:
    names = list(spec)
    following = names[names.index(after) + 1 :]
    for name in following:
        if name in IP_PROTOCOL_OF:
            return IP_PROTOCOL_OF[name]
    return default


def _ipv4(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    options = bytes.fromhex(fields.get("options", ""))
    ihl = 5 + len(options) // 4
    proto = fields.get("proto", _next_protocol(spec, "ipv4", 0))
    src, dst = socket.inet_aton(fields["src"]), socket.inet_aton(fields["dst"])
    flags_frag = (fields["flags"] << 13) | fields["frag"]
    total = ihl * 4 + len(upper)
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x40 | ihl,
        fields["tos"],
        total,
        fields["id"],
        flags_frag,
        fields["ttl"],
        proto,
        0,
        src,
        dst,
    )
    header += options
    header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
    return header + _with_l4_checksum(upper, spec, src + dst + struct.pack("!BB", 0, proto), 4)


def _ipv6(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    src = socket.inet_pton(socket.AF_INET6, fields["src"])
    dst = socket.inet_pton(socket.AF_INET6, fields["dst"])
    first = (6 << 28) | (fields["tc"] << 20)
    nh = fields["nh"]
    header = struct.pack("!IHBB16s16s", first, len(upper), nh, fields["hlim"], src, dst)
    pseudo = src + dst + struct.pack("!I3xB", len(upper), nh)
    return header + _with_l4_checksum(upper, spec, pseudo, 6)


def _with_l4_checksum(upper: bytes, spec: Mapping[str, Any], pseudo: bytes, ip: int) -> bytes:
    """UDP and TCP checksums over the pseudo-header (their writers left them 0)."""
    if "udp" in spec and upper:
        if ip == 4:  # the IPv4 pseudo-header holds the UDP length, not the protocol's
            pseudo = pseudo[:8] + struct.pack("!BBH", 0, 17, len(upper))
        value = _checksum(pseudo + upper) or 0xFFFF
        return upper[:6] + struct.pack("!H", value) + upper[8:]
    if "tcp" in spec and upper:
        if ip == 4:
            pseudo = pseudo[:8] + struct.pack("!BBH", 0, 6, len(upper))
        value = _checksum(pseudo + upper)
        return upper[:16] + struct.pack("!H", value) + upper[18:]
    return upper


def _udp(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    return struct.pack("!HHHH", fields["sport"], fields["dport"], 8 + len(upper), 0) + upper


def _tcp(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    head = struct.pack(
        "!HHIIBBHHH",
        fields["sport"],
        fields["dport"],
        fields["seq"],
        fields["ack"],
        5 << 4,
        fields["flags"],
        8192,
        0,
        0,
    )
    return head + upper


def _icmp(fields: Mapping[str, Any], upper: bytes, spec: Mapping[str, Any]) -> bytes:
    rest = struct.pack("!HH", fields.get("id", 0), fields.get("seq", 0))
    head = struct.pack("!BBH", fields["type"], fields["code"], 0) + rest
    value = _checksum(head + upper)
    return head[:2] + struct.pack("!H", value) + head[4:] + upper


_LAYER_WRITERS = {
    "eth": _eth,
    "vlan": _vlan,
    "arp": _arp,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "udp": _udp,
    "tcp": _tcp,
    "icmp": _icmp,
}


# ---------------------------------------------------------------------------------------
# what a frame is, as data (the grader words it in the learner's language)


def summary(frame: Frame) -> dict[str, Any]:
    """The fields a learner needs to picture the frame."""
    spec = frame.spec
    info: dict[str, Any] = {"length": len(frame.data), "ethertype": int(spec["eth"]["type"])}
    if "truncate" in spec:
        info["cut_from"] = len(assemble({k: v for k, v in spec.items() if k != "truncate"}))
    dst = spec["eth"]["dst"]
    if int(dst[:2], 16) & 1 and dst != "ff:ff:ff:ff:ff:ff":  # the group bit, not broadcast
        info["multicast_mac"] = dst
    if "vlan" in spec:
        info["vlan"] = spec["vlan"]["vid"]
        info["inner_ethertype"] = spec["vlan"]["type"]
    for layer in ("ipv4", "ipv6", "arp"):
        if layer in spec:
            info["network"] = layer
            fields = spec[layer]
            if layer == "arp":
                info.update(src=fields["psrc"], dst=fields["pdst"], arp_op=fields["op"])
            else:
                info.update(src=fields["src"], dst=fields["dst"])
            if layer == "ipv4":
                info.update(ttl=fields["ttl"], tos=fields["tos"])
                info["options"] = len(bytes.fromhex(fields.get("options", "")))
                info["proto"] = fields.get("proto", _next_protocol(spec, "ipv4", 0))
                if fields["frag"] or fields["flags"] & 1:
                    info["fragment"] = fields["frag"] * 8  # bytes into the datagram
                    info["more_fragments"] = bool(fields["flags"] & 1)
            if layer == "ipv6":
                info.update(hlim=fields["hlim"], nh=fields["nh"])
    for layer in ("udp", "tcp"):
        if layer in spec:
            info.update(transport=layer, sport=spec[layer]["sport"], dport=spec[layer]["dport"])
    if "raw" in spec and "ipv4" in spec and "transport" not in info:  # another protocol
        info["head"] = " ".join(f"{b:02x}" for b in bytes.fromhex(spec["raw"])[:4])
    if "icmp" in spec:
        info.update(transport="icmp", icmp_type=spec["icmp"]["type"])
        info["icmp_code"] = spec["icmp"]["code"]
    return info


# ---------------------------------------------------------------------------------------
# Values drawn for one run (a lab's `draws:`): what the harness puts in a map before the
# runs, so a program has to read the map rather than know its contents in advance.


class DrawSpecError(ValueError):
    """A lab's `draws:` that cannot be drawn; the message names the field at fault."""


DRAW_KINDS = ("ipv4", "mac")
MAX_DRAWS = 16
# The documentation ranges: every address in a check comes from one of them.
DOCUMENTATION_RANGES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")


@dataclass(frozen=True)
class DrawSpec:
    """`count` distinct values of one kind: IPv4 host addresses from `prefixes` (their
    network and broadcast addresses left out), or locally administered unicast MACs."""

    kind: str
    count: int
    prefixes: tuple[str, ...] = ()


def parse_draws(raw: Any, where: str = "draws") -> dict[str, DrawSpec]:
    """`draws:` of lab.yaml: `name: {ipv4: [prefixes], count: N}` or `name: {mac: true,
    count: N}`; placeholders `{name[i]}` name the i-th value."""
    if not isinstance(raw, Mapping) or not raw:
        raise DrawSpecError(f"{where}: expected a mapping of names to draws")
    draws = {}
    for name, item in raw.items():
        at = f"{where}.{name}"
        if not isinstance(name, str) or not name.isidentifier():
            raise DrawSpecError(f"{at}: a draw's name is a word (letters, digits, _)")
        if not isinstance(item, Mapping) or len(set(item) & set(DRAW_KINDS)) != 1:
            raise DrawSpecError(f"{at}: expected one of {', '.join(DRAW_KINDS)} and count")
        if set(item) - {*DRAW_KINDS, "count"}:
            raise DrawSpecError(f"{at}: unknown keys {sorted(set(item) - {*DRAW_KINDS, 'count'})}")
        count = item.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_DRAWS:
            raise DrawSpecError(f"{at}.count: expected 1..{MAX_DRAWS}, got {count!r}")
        kind = next(k for k in DRAW_KINDS if k in item)
        draws[name] = DrawSpec(kind, count, _draw_prefixes(item[kind], f"{at}.{kind}"))
    return draws


def _draw_prefixes(raw: Any, where: str) -> tuple[str, ...]:
    if raw is True:  # mac: true
        return ()
    if not isinstance(raw, list) or not raw:
        raise DrawSpecError(f"{where}: expected a list of prefixes (or `true` for mac)")
    allowed = [ipaddress.IPv4Network(r) for r in DOCUMENTATION_RANGES]
    for prefix in raw:
        try:
            network = ipaddress.IPv4Network(str(prefix))
        except ValueError as exc:
            raise DrawSpecError(f"{where}: {prefix!r} is not an IPv4 prefix") from exc
        if not any(network.subnet_of(r) for r in allowed) or network.num_addresses < 4:
            raise DrawSpecError(
                f"{where}: {prefix} is not a /30 or wider inside the documentation ranges "
                f"({', '.join(DOCUMENTATION_RANGES)})"
            )
    return tuple(str(p) for p in raw)


def draw_values(
    draws: Mapping[str, DrawSpec], seed: int, avoid: set[str] | frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Each draw's values for the run with this seed (the same seed, the same values):
    distinct, and never one of `avoid` (the addresses and MACs the checks' packets carry,
    so a program that leaves a field as it was cannot match by chance)."""
    rng = random.Random(f"draws:{seed}")
    taken = set(avoid)
    result: dict[str, list[str]] = {}
    for name in sorted(draws):
        spec, values = draws[name], []
        while len(values) < spec.count:
            value = _drawn(spec, rng)
            if value not in taken:
                taken.add(value)
                values.append(value)
        result[name] = values
    return result


def _drawn(spec: DrawSpec, rng: random.Random) -> str:
    if spec.kind == "mac":
        first = (rng.randrange(256) & 0xFC) | 0x02  # unicast, locally administered
        rest = [rng.randrange(256) for _ in range(5)]
        return ":".join(f"{b:02x}" for b in (first, *rest))
    network = ipaddress.IPv4Network(rng.choice(spec.prefixes))
    return str(network.network_address + rng.randrange(1, network.num_addresses - 1))
