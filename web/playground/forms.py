"""The playground's settings as plain form fields (so a POST without JavaScript works) and
back. The settings themselves are validated by labs.playground, not here.

Packets come in slots `packet-N-*`: a kind (udp, tcp, icmp, ipv6, arp, or hex) and its
fields; a slot whose kind is empty is unused. Seeds are lines of `map key value`.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from labs import playground

PACKET_SLOTS = 4
PACKET_KINDS = ("udp", "tcp", "icmp", "ipv6", "arp", "hex")
DEFAULTS = {
    "src": "192.0.2.1",
    "dst": "198.51.100.1",
    "sport": 40000,
    "dport": 9999,
    "ttl": 64,
    "len": 16,
}
DEFAULTS6 = {"src": "2001:db8::1", "dst": "2001:db8::2"}


def _number(text: str, default: int) -> Any:
    text = (text or "").strip()
    if not text:
        return default
    return int(text) if text.lstrip("-").isdigit() else text  # the validator names it


def packet_from_fields(kind: str, get: Any) -> dict[str, Any]:
    """One packet in the settings' form ({"fields": <layer spec>} or {"hex": ...})."""
    if kind == "hex":
        return {"hex": get("hex", "")}
    length = {"len": _number(get("len", ""), DEFAULTS["len"])}
    if kind == "arp":
        return {"fields": {"eth": {"type": 0x0806}, "arp": {"op": 1}}}
    if kind == "ipv6":
        ip6 = {"src": get("src", "") or DEFAULTS6["src"], "dst": get("dst", "") or DEFAULTS6["dst"]}
        ports = _ports(get)
        return {"fields": {"eth": {}, "ipv6": ip6, "udp": ports, "payload": length}}
    ip = {
        "src": get("src", "") or DEFAULTS["src"],
        "dst": get("dst", "") or DEFAULTS["dst"],
        "ttl": _number(get("ttl", ""), DEFAULTS["ttl"]),
    }
    if kind == "icmp":
        return {"fields": {"eth": {}, "ipv4": ip, "icmp": {"type": 8}, "payload": length}}
    return {"fields": {"eth": {}, "ipv4": ip, kind: _ports(get), "payload": length}}


def _ports(get: Any) -> dict[str, Any]:
    return {
        "sport": _number(get("sport", ""), DEFAULTS["sport"]),
        "dport": _number(get("dport", ""), DEFAULTS["dport"]),
    }


def settings_from_post(post: QueryDict) -> dict[str, Any]:
    """The raw settings a playground form posted."""
    hook = post.get("hook", "xdp")
    data: dict[str, Any] = {"hook": hook, "seeds": _seeds(post.get("seeds", ""))}
    if post.get("kernel"):
        data["kernel"] = post["kernel"]
    if hook in playground.PACKET_HOOKS:
        data["packets"] = [
            packet_from_fields(kind, lambda name, d="", n=n: post.get(f"packet-{n}-{name}", d))
            for n in range(PACKET_SLOTS)
            if (kind := post.get(f"packet-{n}-kind", "")) in PACKET_KINDS
        ]
        data["repeat"] = _number(post.get("repeat", ""), 1)
    else:
        data["trigger"] = post.get("trigger", "").split()
    if post.get("live"):
        data["live"] = {
            "seconds": _number(post.get("live-seconds", ""), 10),
            "rate": _number(post.get("live-rate", ""), 10),
            "every_ms": _number(post.get("live-every-ms", ""), 500),
        }
        if hook in playground.PACKET_HOOKS:
            del data["live"]["every_ms"]
        else:
            del data["live"]["rate"]
    return data


def _seeds(text: str) -> list[dict[str, Any]]:
    seeds = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        words += ["0"] * (3 - len(words))
        key, value = (_number(w, 0) if w.isdigit() else w for w in words[1:3])
        seeds.append({"map": words[0], "key": key, "value": value})
    return seeds


def form_values(cfg: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values for stored settings (a snippet's, a run's)."""
    slots = [_slot(packet) for packet in cfg.get("packets") or [playground.DEFAULT_PACKET]]
    slots += [{"kind": ""}] * (PACKET_SLOTS - len(slots))
    live = cfg.get("live") or {}
    seeds = "\n".join(f"{s['map']} {s['key']} {s['value']}" for s in cfg.get("seeds") or [])
    return {
        "hook": cfg.get("hook", "xdp"),
        "kernel": cfg.get("kernel", ""),
        "packets": slots[:PACKET_SLOTS],
        "repeat": cfg.get("repeat", 1),
        "trigger": " ".join(cfg.get("trigger") or playground.DEFAULT_TRIGGER),
        "seeds": seeds,
        "live": bool(live),
        "live_seconds": live.get("seconds", 10),
        "live_rate": live.get("rate", 10),
        "live_every_ms": live.get("every_ms", 500),
    }


def _slot(packet: dict[str, Any]) -> dict[str, Any]:
    """A stored packet as form fields: the builder's own shapes by field, any other as hex."""
    fields = packet.get("fields")
    if not isinstance(fields, dict):
        return {"kind": "hex", "hex": packet.get("hex", "")}
    transport = next((k for k in ("udp", "tcp", "icmp") if k in fields), None)
    ip = fields.get("ipv4") or fields.get("ipv6") or {}
    ports = fields.get(transport or "", {}) if transport in ("udp", "tcp") else {}
    kind = "ipv6" if "ipv6" in fields else "arp" if "arp" in fields else transport
    if kind is None or set(fields) - {
        "eth",
        "ipv4",
        "ipv6",
        "udp",
        "tcp",
        "icmp",
        "arp",
        "payload",
    }:
        return {"kind": "hex", "hex": _built_hex(fields)}
    return {
        "kind": kind,
        "src": ip.get("src", ""),
        "dst": ip.get("dst", ""),
        "ttl": ip.get("ttl", DEFAULTS["ttl"]),
        "sport": ports.get("sport", DEFAULTS["sport"]),
        "dport": ports.get("dport", DEFAULTS["dport"]),
        "len": (fields.get("payload") or {}).get("len", 0),
        "hex": _built_hex(fields),
    }


def _built_hex(fields: dict[str, Any]) -> str:
    from labs import packets

    try:
        return packets.build(fields).hex()
    except packets.PacketSpecError:
        return ""
