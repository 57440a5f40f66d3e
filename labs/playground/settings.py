"""A free-form run's settings: what the program is fed, validated here and nowhere else, and
a first program for each hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from labs import packets

PACKET_HOOKS = ("xdp", "tc", "socket")
TRACING_HOOKS = ("tracepoint", "kprobe", "fexit")
HOOKS = PACKET_HOOKS + TRACING_HOOKS
# Hooks the host kernel of a `local` or `docker` site cannot attach (no kprobes, fentry
# refused): offered only where runs go to the microVM.
VM_ONLY_HOOKS = ("kprobe", "fexit")
MAX_PACKETS = 16
MAX_SEEDS = 64
MAX_REPEAT = 1000
MAX_LIVE_RATE = 1000  # packets a second
MIN_EVERY_MS = 50
LOAD_LOG_LEVEL = 1
TRACE_WAIT_MS = 300
# The default first packet: a UDP datagram to port 9999 from the documentation ranges.
DEFAULT_PACKET = {
    "fields": {
        "eth": {},
        "ipv4": {"src": "192.0.2.1", "dst": "198.51.100.1"},
        "udp": {"sport": 40000, "dport": 9999},
        "payload": {"len": 16},
    }
}
DEFAULT_TRIGGER = ["/bin/ls", "/"]

_HEADERS = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
_LICENSE = '\nchar LICENSE[] SEC("license") = "GPL";\n'
# A first program for each hook, run as it is by the default packet or trigger (`ls /`
# reads the directory with getdents64).
STARTERS = {
    "xdp": _HEADERS
    + """
SEC("xdp")
int hello(struct xdp_md *ctx)
{
    bpf_printk("hello from XDP, %d bytes", ctx->data_end - ctx->data);
    return XDP_PASS;
}
"""
    + _LICENSE,
    "tc": _HEADERS
    + "#include <bpf/bpf_endian.h>\n#include <linux/pkt_cls.h>\n"
    + """
SEC("tc")
int hello(struct __sk_buff *skb)
{
    bpf_printk("hello from TC, %d bytes, protocol %x", skb->len, bpf_ntohs(skb->protocol));
    return TC_ACT_OK;
}
"""
    + _LICENSE,
    "socket": _HEADERS
    + """
SEC("socket")
int keep_all(struct __sk_buff *skb)
{
    bpf_printk("socket filter sees %d bytes", skb->len);
    return skb->len; /* the bytes to keep: 0 drops the packet */
}
"""
    + _LICENSE,
    "tracepoint": _HEADERS
    + """
SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
    bpf_printk("execve by pid %d", bpf_get_current_pid_tgid() >> 32);
    return 0;
}
"""
    + _LICENSE,
    "kprobe": _HEADERS
    + """
SEC("kprobe/__x64_sys_getdents64")
int on_getdents(void *ctx)
{
    bpf_printk("getdents64 from pid %d", bpf_get_current_pid_tgid() >> 32);
    return 0;
}
"""
    + _LICENSE,
    "fexit": _HEADERS
    + """
SEC("fexit/__x64_sys_getdents64")
int on_getdents_exit(unsigned long long *ctx)
{
    bpf_printk("getdents64 returned %ld", (long)ctx[1]);
    return 0;
}
"""
    + _LICENSE,
}


class SettingsError(ValueError):
    """Settings a run cannot start with; the message is for the person who wrote them."""


@dataclass
class PlaygroundSettings:
    hook: str = "xdp"
    packets: list[dict[str, Any]] = field(default_factory=lambda: [dict(DEFAULT_PACKET)])
    repeat: int = 1
    trigger: list[str] = field(default_factory=lambda: list(DEFAULT_TRIGGER))
    seeds: list[dict[str, str]] = field(default_factory=list)
    live: dict[str, int] | None = None
    kernel: str = ""  # a microVM kernel the site offers (labs/kernels.py); "" the default
    frames: list[bytes] = field(default_factory=list, repr=False)  # built from packets

    def to_dict(self) -> dict[str, Any]:
        """The settings as stored: plain data, without the built frames."""
        data: dict[str, Any] = {"hook": self.hook, "seeds": self.seeds}
        if self.hook in PACKET_HOOKS:
            data.update(packets=self.packets, repeat=self.repeat)
        else:
            data["trigger"] = self.trigger
        if self.live:
            data["live"] = self.live
        if self.kernel:
            data["kernel"] = self.kernel
        return data

    @property
    def is_live(self) -> bool:
        return bool(self.live)


def parse_settings(raw: Any) -> PlaygroundSettings:
    """Validated settings (defaults filled in); SettingsError names what is wrong."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise SettingsError(_("The settings must be an object."))
    result = PlaygroundSettings()
    hook = raw.get("hook", "xdp")
    if hook not in HOOKS:
        raise SettingsError(_("Unknown hook %(hook)r (one of: %(known)s).") % _known(hook, HOOKS))
    result.hook = hook
    result.seeds = _seeds(raw.get("seeds") or [])
    if hook in PACKET_HOOKS:
        result.packets, result.frames = _packets(raw.get("packets") or [DEFAULT_PACKET])
        result.repeat = _int(raw.get("repeat", 1), "repeat", 1, MAX_REPEAT)
    else:
        result.trigger = _trigger(raw.get("trigger") or DEFAULT_TRIGGER)
    if raw.get("live"):
        result.live = _live(raw["live"], hook)
    result.kernel = _kernel(raw.get("kernel") or "")
    return result


def _kernel(name: str) -> str:
    from labs import kernels

    if not name:
        return ""
    offered = kernels.offered()
    if name not in offered:
        message = _("This site offers no kernel %(name)r (it offers: %(offered)s).")
        raise SettingsError(message % {"name": name, "offered": ", ".join(offered) or "-"})
    return name


def _known(value: Any, known: tuple[str, ...]) -> dict[str, str]:
    return {"hook": str(value), "known": ", ".join(known)}


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = _("%(name)s must be a whole number from %(low)d to %(high)d.")
        raise SettingsError(message % {"name": name, "low": low, "high": high})
    return value


def _packets(raw: Any) -> tuple[list[dict[str, Any]], list[bytes]]:
    if not isinstance(raw, list) or not raw:
        raise SettingsError(_("Give at least one packet."))
    if len(raw) > MAX_PACKETS:
        raise SettingsError(_("At most %(n)d packets.") % {"n": MAX_PACKETS})
    specs, frames = [], []
    for index, item in enumerate(raw, start=1):
        spec, frame = _packet(item, index)
        specs.append(spec)
        frames.append(frame)
    return specs, frames


def _packet(item: Any, index: int) -> tuple[dict[str, Any], bytes]:
    where = _("packet %(n)d") % {"n": index}
    if isinstance(item, dict) and "hex" in item:
        text = "".join(str(item["hex"]).split()).replace(":", "")
        try:
            frame = bytes.fromhex(text)
        except ValueError:
            raise SettingsError(_("%(where)s: not hex.") % {"where": where}) from None
        spec: dict[str, Any] = {"hex": frame.hex()}
    elif isinstance(item, dict) and isinstance(item.get("fields"), dict):
        try:
            frame = packets.build(item["fields"])
        except packets.PacketSpecError as exc:
            raise SettingsError(f"{where}: {exc}") from None
        spec = {"fields": item["fields"]}
    else:
        raise SettingsError(_("%(where)s: give fields or hex.") % {"where": where})
    if not 14 <= len(frame) <= 9216:
        message = _("%(where)s is %(n)d bytes; a frame is 14 to 9216 bytes.")
        raise SettingsError(message % {"where": where, "n": len(frame)})
    return spec, frame


def _trigger(raw: Any) -> list[str]:
    from sandbox.job import TRIGGER_ALLOW_LIST

    if isinstance(raw, str):
        raw = raw.split()
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) for a in raw):
        raise SettingsError(_("The trigger is a command and its arguments."))
    allowed = trigger_commands()
    if raw[0] not in allowed:
        message = _("%(command)s is not a trigger the sandbox runs (allowed: %(allowed)s).")
        raise SettingsError(message % {"command": raw[0], "allowed": ", ".join(allowed)})
    if len(raw) > 32 or sum(len(a.encode()) + 1 for a in raw) > 4096 or any("\0" in a for a in raw):
        raise SettingsError(_("The trigger's arguments are too long."))
    assert raw[0] in TRIGGER_ALLOW_LIST or raw[0].startswith("@")
    return list(raw)


def trigger_commands() -> tuple[str, ...]:
    """The commands a trigger may run: the sandbox's one allow list (and its built-ins)."""
    from sandbox import job

    return tuple(job.TRIGGER_ALLOW_LIST) + tuple(getattr(job, "TRIGGER_BUILTINS", ()))


def _hex_or_int(value: Any, size: int, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 2 ** (8 * size):
            raise SettingsError(_("%(where)s is out of range.") % {"where": where})
        return value.to_bytes(size, "little").hex()
    text = "".join(str(value).split())
    try:
        return bytes.fromhex(text).hex()
    except ValueError:
        raise SettingsError(_("%(where)s: not hex.") % {"where": where}) from None


def _seeds(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list) or len(raw) > MAX_SEEDS:
        raise SettingsError(_("At most %(n)d map seeds.") % {"n": MAX_SEEDS})
    seeds = []
    for index, item in enumerate(raw, start=1):
        where = _("seed %(n)d") % {"n": index}
        if not isinstance(item, dict) or not str(item.get("map") or "").strip():
            raise SettingsError(_("%(where)s: name the map.") % {"where": where})
        name = str(item["map"]).strip()
        if any(c.isspace() for c in name):
            raise SettingsError(_("%(where)s: name the map.") % {"where": where})
        key = _hex_or_int(item.get("key", 0), 4, where)
        value = _hex_or_int(item.get("value", 0), 8, where)
        seeds.append({"map": name, "key": key, "value": value})
    return seeds


def _live(raw: Any, hook: str) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise SettingsError(_("Live mode needs a duration."))
    most = django_settings.PLAYGROUND_LIVE_MAX_S
    live = {"seconds": _int(raw.get("seconds", 10), "seconds", 1, most)}
    if hook in PACKET_HOOKS:
        if hook == "socket":
            raise SettingsError(_("Live mode attaches to the sandbox's network device: XDP or TC."))
        live["rate"] = _int(raw.get("rate", 10), "rate", 1, MAX_LIVE_RATE)
    else:
        live["every_ms"] = _int(raw.get("every_ms", 500), "every_ms", MIN_EVERY_MS, 60_000)
    return live


def settings_for_lab(lab: Any) -> dict[str, Any]:
    """Playground settings that reproduce a lab's situation (a labs.spec.LabSpec): its hook,
    the packets of its first packet checks, its map seeds, its first trigger."""
    hook = lab.program_type if lab.program_type in HOOKS else "xdp"
    if lab.program_type in ("socket_filter", "socket"):
        hook = "socket"
    checks = list(lab.checks)
    data: dict[str, Any] = {
        "hook": hook,
        "seeds": [
            {"map": s.map, "key": s.key.hex(), "value": s.value.hex()}
            for s in lab.seeds
            if len(s.value) <= 64
        ][:MAX_SEEDS],
    }
    packet_specs = [c.packet for c in checks if c.kind == "packet" and c.packet][:4]
    if hook in PACKET_HOOKS and packet_specs:
        data["packets"] = [{"fields": spec} for spec in packet_specs]
    triggers = [list(c.argv) for c in checks if c.kind == "trigger" and c.argv]
    if hook in TRACING_HOOKS and triggers:
        data["trigger"] = triggers[0]
    try:
        return parse_settings(data).to_dict()
    except SettingsError:
        return parse_settings({"hook": hook}).to_dict()
