"""Free-form runs: a program and its settings -> one sandbox Job -> events and an outcome.

No checks: the run shows what happened. The settings are data (stored on the Submission
and the Snippet), validated here and nowhere else:

    hook      xdp | tc | socket (test-run on packets) | tracepoint | kprobe | fexit (attach
              and run a trigger); the program's own SEC() decides where it attaches
    packets   [{"fields": {<layer spec, labs/packets.py>}} | {"hex": "<frame>"}]
    repeat    test runs per packet
    trigger   argv of a command on the sandbox's allow list (tracing hooks)
    seeds     [{"map", "key", "value"}] written before anything runs (hex, or an int:
              u32 key, u64 value)
    live      {"seconds": N, "rate": packets/s} or for tracing hooks {"seconds": N,
              "every_ms": M}: attach, then traffic or the trigger in a loop for N seconds,
              trace lines and map snapshots streamed every second (docs/protocol.md, `live`)

Events follow the grader's (docs/protocol.md, "Run events"): stage compiling, compile, the
disassembly, every sandbox event, a `packet` event after each test run (action name,
bytes in and out), then `verdict` (stage, no `passed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from labs import packets
from labs.grading.grade import _compile, _compile_event, _Disassembly
from labs.spec import ACTIONS_BY_TYPE

EventSink = Callable[[dict[str, Any]], None]

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
# Stages of a free-form run's outcome: how far it got.
STAGES = ("compile", "load", "run", "done")


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


# ------------------------------------------------------------------------------- the job


def build_job(cfg: PlaygroundSettings, obj: bytes) -> Any:
    """The sandbox Job: load, seeds, then test runs (packet hooks), attach + trigger
    (tracing hooks) or attach + a live loop, and a dump of every map the object defines."""
    from sandbox.job import Job, RunLimits
    from sandbox.objinfo import map_names

    ops: list[dict[str, Any]] = [{"op": "load", "id": "load", "log_level": LOAD_LOG_LEVEL}]
    for index, seed in enumerate(cfg.seeds):
        ops.append({"op": "map_update", "id": f"seed:{index}", "flags": 0, **seed})
    maps = map_names(obj)
    if cfg.is_live:
        ops += _live_ops(cfg, maps)
    elif cfg.hook in PACKET_HOOKS:
        for index, frame in enumerate(cfg.frames):
            ops.append(
                {
                    "op": "test_run",
                    "id": f"packet:{index}",
                    "program": None,
                    "data": frame.hex(),
                    "repeat": cfg.repeat,
                }
            )
    else:
        ops.append({"op": "attach", "id": "attach", "program": None, "target": None})
        ops.append({"op": "trigger", "id": "trigger", "argv": cfg.trigger, "timeout_ms": 5000})
        ops.append({"op": "trace", "id": "trace", "wait_ms": TRACE_WAIT_MS})
    ops += [{"op": "map_dump", "id": f"map:{name}", "map": name} for name in maps]
    limits = RunLimits()
    if cfg.is_live:
        assert cfg.live is not None
        limits.wall_s = cfg.live["seconds"] + 20
        limits.max_trace_lines = 5000
    return Job(object=obj, ops=ops, limits=limits)


def _live_ops(cfg: PlaygroundSettings, maps: list[str]) -> list[dict[str, Any]]:
    assert cfg.live is not None
    live: dict[str, Any] = {
        "op": "live",
        "id": "live",
        "duration_ms": cfg.live["seconds"] * 1000,
        "interval_ms": 1000,
        "maps": maps,
    }
    if cfg.hook in PACKET_HOOKS:
        live.update(packets=[frame.hex() for frame in cfg.frames], rate=cfg.live["rate"])
    else:
        live.update(argv=cfg.trigger, every_ms=cfg.live["every_ms"], timeout_ms=5000)
    return [{"op": "attach", "id": "attach", "program": None, "target": None}, live]


# ---------------------------------------------------------------------------- the outcome


@dataclass
class Outcome:
    """What a free-form run did; `passed` is always None (there are no checks)."""

    stage: str = "compile"
    loaded: bool = False
    packets: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    verifier_log: str = ""
    trace: list[str] = field(default_factory=list)
    maps: dict[str, Any] = field(default_factory=dict)
    live: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    summary: str = ""
    rejection: dict[str, Any] | None = None  # labs.verifier's analysis of a rejection
    passed: None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "playground",
            "stage": self.stage,
            "passed": None,
            "loaded": self.loaded,
            "summary": self.summary,
            "packets": self.packets,
            "diagnostics": self.diagnostics,
            "verifier_log": self.verifier_log,
            "verifier": self.rejection,
            "trace": self.trace,
            "maps": self.maps,
            "live": self.live,
            "timings": self.timings,
            "error": self.error,
        }

    def to_event(self) -> dict[str, Any]:
        return {
            "event": "verdict",
            "kind": "playground",
            "passed": None,
            "stage": self.stage,
            "summary": self.summary,
            "facts": summary_facts(self.to_dict()),
        }


def action_name(hook: str, retval: int) -> str:
    """XDP and TC return values by name; a socket filter returns how many bytes it keeps."""
    if hook == "socket":
        return _("drop") if retval == 0 else _("keep %(n)d bytes") % {"n": retval}
    signed = retval - 2**32 if retval >= 2**31 else retval
    for name, value in ACTIONS_BY_TYPE.get(hook, {}).items():
        if value == signed:
            return name
    return str(signed)


class _Recorder:
    """Reads the sandbox events into the outcome, adding a `packet` event after each test run."""

    def __init__(self, cfg: PlaygroundSettings, outcome: Outcome, emit: EventSink) -> None:
        self.cfg = cfg
        self.outcome = outcome
        self.emit = emit
        self.sandbox_error: str | None = None
        self.done = False

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "load":
            self.outcome.loaded = bool(event.get("ok"))
            self.outcome.verifier_log = str(event.get("verifier_log") or "")
        elif kind == "test_run":
            self._packet(event)
        elif kind == "trace":
            self.outcome.trace.append(str(event.get("line", "")))
        elif kind == "map_dump" and event.get("ok"):
            self.outcome.maps[str(event.get("map"))] = {
                k: event.get(k) for k in ("type", "key_size", "value_size", "percpu", "entries")
            }
        elif kind == "live":
            self.outcome.live = {
                k: event.get(k) for k in ("sent", "triggers", "ticks", "stopped", "elapsed_ms")
            }
        elif kind == "error":
            self.sandbox_error = str(event.get("message") or "sandbox error")
        elif kind == "done":
            self.done = True

    def _packet(self, event: dict[str, Any]) -> None:
        index = int(str(event.get("id", "packet:0")).split(":")[-1])
        frame = self.cfg.frames[index] if index < len(self.cfg.frames) else b""
        result: dict[str, Any] = {"event": "packet", "index": index, "ok": bool(event.get("ok"))}
        if event.get("ok"):
            retval = int(event.get("retval") or 0)
            data_out = str(event.get("data_out") or "")
            result.update(
                retval=retval,
                action=action_name(self.cfg.hook, retval),
                data_in=frame.hex(),
                data_out=data_out,
                changed=data_out != frame.hex(),
                duration_ns=event.get("duration_ns"),
            )
        else:
            result["error"] = event.get("error")
        self.outcome.packets.append({k: v for k, v in result.items() if k != "event"})
        self.emit(result)


def run(
    source: str,
    raw_settings: Any,
    backend: str = "local",
    on_event: EventSink | None = None,
    control: Any = None,
    kernel: str = "",
) -> Outcome:
    """Compiles and runs a free-form program; never raises for the program's mistakes.
    `control` (a sandbox.job.RunControl) lets the caller stop a live run early; `kernel` is
    the microVM kernel to run on ("" the default)."""
    emit = on_event or (lambda event: None)
    started = time.monotonic()
    outcome = Outcome()
    try:
        cfg = parse_settings(raw_settings)
    except SettingsError as exc:
        outcome.error = str(exc)
        return _finish(outcome, emit, started)
    emit({"event": "stage", "stage": "compiling"})
    try:
        compiled = _compile(source, backend, kernel)
    except Exception as exc:  # the jail itself broke: not the writer's fault
        outcome.error = _("compiler failure: %(kind)s: %(error)s") % {
            "kind": type(exc).__name__,
            "error": exc,
        }
        return _finish(outcome, emit, started)
    outcome.timings["compile_s"] = round(time.monotonic() - started, 4)
    outcome.diagnostics = [d.to_dict() for d in compiled.diagnostics]
    emit(_compile_event(compiled))
    if not compiled.ok:
        return _finish(outcome, emit, started)
    disassembly = _Disassembly(compiled.pending_disassembly)
    emit = disassembly.before(emit)
    recorder = _Recorder(cfg, outcome, emit)
    _run_job(cfg, compiled.object or b"", backend, emit, recorder, control, kernel)
    disassembly.flush(emit)
    outcome.timings["run_s"] = round(time.monotonic() - started - outcome.timings["compile_s"], 4)
    if not outcome.loaded:
        outcome.stage = "load"
    else:
        outcome.stage = "done" if outcome.error is None else "run"
    return _finish(outcome, emit, started)


def _run_job(
    cfg: PlaygroundSettings,
    obj: bytes,
    backend: str,
    emit: EventSink,
    recorder: _Recorder,
    control: Any = None,
    kernel: str = "",
) -> None:
    from labs import verifier
    from sandbox.backends import get_backend

    job = build_job(cfg, obj)

    def relay(event: dict[str, Any]) -> None:
        if event.get("event") == "load" and not event.get("ok"):
            # the same analysis a lab run's panel shows: complaint, line, explanation
            log = str(event.get("verifier_log") or "")
            event = {**event, "rejection": verifier.analyse(log, obj).to_dict()}
            recorder.outcome.rejection = event["rejection"]
        emit(event)
        recorder.feed(event)

    options = {"kernel": kernel} if kernel and backend == "microvm" else {}
    try:
        sandbox = get_backend(backend, **options)
        if control is not None:
            result = sandbox.run(job, on_event=relay, control=control)
        else:
            result = sandbox.run(job, on_event=relay)
    except Exception as exc:  # any failure of the sandbox itself is not the writer's
        recorder.outcome.error = _("sandbox failure: %(kind)s: %(error)s") % {
            "kind": type(exc).__name__,
            "error": exc,
        }
        return
    if not result.ok or recorder.sandbox_error:
        recorder.outcome.error = (
            result.error or recorder.sandbox_error or _("the sandbox run did not finish")
        )


def _finish(outcome: Outcome, emit: EventSink, started: float) -> Outcome:
    outcome.timings["total_s"] = round(time.monotonic() - started, 4)
    outcome.summary = summary(summary_facts(outcome.to_dict()))
    emit(outcome.to_event())
    return outcome


def summary_facts(verdict: dict[str, Any]) -> dict[str, Any]:
    """What the one-sentence summary says, as data (a verdict event carries it, so a viewer
    reading another language gets the sentence in theirs: labs/consumers.py)."""
    return {
        "stage": verdict.get("stage"),
        "error": verdict.get("error"),
        "compiler_messages": bool(verdict.get("diagnostics")),
        "actions": [
            str(p.get("action", p.get("error", "?"))) for p in verdict.get("packets") or []
        ],
        "trace_lines": len(verdict.get("trace") or []),
        "live": verdict.get("live") or {},
    }


def summary(facts: dict[str, Any]) -> str:
    """A free-form outcome in one sentence, in the active language (made at the edge)."""
    stage = facts.get("stage")
    if facts.get("error") and stage == "compile" and not facts.get("compiler_messages"):
        return _("The run could not start: %(error)s") % {"error": facts["error"]}
    if stage == "compile":
        return _("Your program did not compile; see the compiler messages.")
    if stage == "load":
        return _("The verifier rejected your program; see its log and the explanation.")
    if facts.get("error"):
        return _("The sandbox stopped: %(error)s") % {"error": facts["error"]}
    live = facts.get("live") or {}
    if live.get("stopped"):
        said = {
            "seconds": round((live.get("elapsed_ms") or 0) / 1000),
            "sent": live.get("sent") or 0,
            "triggers": live.get("triggers") or 0,
        }
        if live["stopped"] == "stop":
            template = _(
                "Ran live for %(seconds)s s until you stopped it: %(sent)s packets sent, "
                "%(triggers)s triggers run."
            )
        else:
            template = _(
                "Ran live for %(seconds)s s, to the time limit: %(sent)s packets sent, "
                "%(triggers)s triggers run."
            )
        return template % said
    actions = facts.get("actions") or []
    if actions:
        return ngettext(
            "Loaded and ran on %(n)d packet: %(actions)s.",
            "Loaded and ran on %(n)d packets: %(actions)s.",
            len(actions),
        ) % {"n": len(actions), "actions": ", ".join(actions)}
    lines = int(facts.get("trace_lines") or 0)
    return ngettext(
        "Loaded, attached and triggered: %(n)d trace line.",
        "Loaded, attached and triggered: %(n)d trace lines.",
        lines,
    ) % {"n": lines}


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
