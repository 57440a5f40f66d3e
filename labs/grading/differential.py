"""The differential phase: generated frames through the learner's program and the lab's
reference, in the same sandbox job, compared on what the contract makes observable.

A lab with a `differential:` section (labs/generator.py) gets one more check,
`generated-traffic`. Its ops follow the lab's own: the reference object is loaded (Job
`objects`), gets the lab's map seeds and the fixed checks' frames (so its maps see the
same sequence as the learner's), then each generated frame runs through the learner's
program and the reference in turn, and finally the compared maps of both are dumped.

What is compared, as the contract makes it observable and no more:
- the action (for XDP/TC its name; two return values naming the same action agree);
- the output frame, unless the frame was dropped; an IPv4, TCP or UDP checksum written
  0x0000 where the other wrote 0xffff (ones' complement has two zeros) agrees;
- the trace lines of each run (text after `bpf_trace_printk: `, trailing newline and
  empty lines ignored: the argument types that printed them do not matter);
- the maps after the whole sequence: entries by key, per-CPU values summed, an absent
  entry equal to a zero one (so max_entries, preallocation, or how an entry came to exist
  do not matter).

The first difference is kept as data (`Difference`: frame, field, expected, actual) and
worded for the learner only when the check is made. The phase's own events are not
relayed to the learner's run (they are hundreds); the check is.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from labs import generator, packets, values
from labs.grading import words
from labs.grading.evaluate import action_name, trace_message
from labs.grading.verdicts import CheckResult
from labs.spec import DIFFERENTIAL_CHECK, Check, LabSpec

PREFIX = "diff:"
REFERENCE = "reference"
# Actions after which the frame goes nowhere: its bytes are not observable.
DROPPING = {"XDP_DROP", "XDP_ABORTED", "TC_ACT_SHOT", "TC_ACT_STOLEN", "0 (drop)"}
COMPARABLE_MAP_TYPES = {
    "array",
    "percpu_array",
    "hash",
    "percpu_hash",
    "lru_hash",
    "lru_percpu_hash",
    "lpm_trie",
}
SEED_BITS = 31


def new_seed() -> int:
    return secrets.randbits(SEED_BITS)


@dataclass
class Difference:
    """The first way the learner's program differed from the reference, as data."""

    field: str  # action | output:<layer.field> | trace | run | map:<name>[<key>] | limit
    expected: str
    actual: str
    frame: int | None = None  # index of the generated frame; None: the maps at the end
    frame_hex: str = ""
    frame_fields: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Difference:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Phase:
    """The differential ops of one grading and what the events they produce mean."""

    lab: LabSpec
    seed: int
    frames: list[generator.Frame]
    maps: list[str]
    ops: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last_op(self) -> str:
        return self.ops[-1]["id"]


def mine(i: int) -> str:
    return f"{PREFIX}mine:{i}"


def theirs(i: int) -> str:
    return f"{PREFIX}ref:{i}"


def compared_maps(lab: LabSpec) -> list[str]:
    traffic = lab.traffic
    if traffic is None or "maps" not in traffic.compare:
        return []
    names = traffic.maps if traffic.maps is not None else [m.name for m in lab.maps]
    return [n for n in names if set(lab.map_spec(n).types) & COMPARABLE_MAP_TYPES]  # type: ignore[union-attr]


def plan(
    lab: LabSpec,
    seed: int,
    lab_ops: list[dict[str, Any]],
    frames: list[generator.Frame] | None = None,
) -> Phase:
    """The phase's ops, to run after `lab_ops` (the lab's own) in the same job."""
    assert lab.traffic is not None
    if frames is None:
        frames = generator.generate(lab.traffic, seed, lab.program_type)
    phase = Phase(lab, seed, frames, compared_maps(lab))
    ops = phase.ops
    ops.append({"op": "load", "id": f"{PREFIX}ref:load", "log_level": 0, "object": REFERENCE})
    for op in lab_ops:  # the same seeds and fixed frames, so both maps see one sequence
        if op["op"] in ("map_update", "map_delete", "test_run"):
            ops.append({**op, "id": f"{PREFIX}ref:{op['id']}", "object": REFERENCE})
    for i, frame in enumerate(frames):
        # an unchanged output comes back as `unchanged: true`, not as its bytes again
        run = {"op": "test_run", "program": lab.test_program, "data": frame.data.hex()}
        run["output"] = "changed"
        ops.append({**run, "id": mine(i)})
        ops.append({**run, "id": theirs(i), "object": REFERENCE})
    for name in phase.maps:
        ops.append({"op": "map_dump", "id": f"{PREFIX}mine:dump:{name}", "map": name})
        ops.append(
            {"op": "map_dump", "id": f"{PREFIX}ref:dump:{name}", "map": name, "object": REFERENCE}
        )
    return phase


class Pending:
    """One grading's phase before its job exists: the seed, and the reference compiling."""

    def __init__(self, lab: LabSpec, seed: int) -> None:
        from labs.grading import reference

        self.lab, self.seed = lab, seed
        self.reference = reference.prepare(lab.solution)
        # drawn on the same worker thread while clang runs in its jail
        assert lab.traffic is not None
        self.frames = reference.in_background(
            generator.generate, lab.traffic, seed, lab.program_type
        )
        self.judge: Judge | None = None
        self.problem: dict[str, Any] | None = None  # the platform's failure, not the learner's

    def attach(self, job: Any, emit: Callable[[dict[str, Any]], None], evaluator: Any) -> Judge:
        """Adds the phase's ops and the reference to `job`; the judge of their events."""
        phase = plan(self.lab, self.seed, job.ops, self.frames.result())

        def blocked() -> dict[str, Any] | None:  # why the checks do not run (words.*)
            return evaluator.load_reason or evaluator.seed_reason

        self.judge = Judge(phase, emit, blocked)
        obj = self.reference.result()
        if obj is None:  # the lab's own solution: a content problem
            self.problem = words.failure(words.REFERENCE_COMPILE)
            return self.judge
        job.objects[REFERENCE] = obj
        job.ops.extend(phase.ops)
        return self.judge


def prepare(lab: LabSpec, seed: int | None) -> Pending | None:
    """The phase of a grading of `lab` (None: the lab has none)."""
    if lab.traffic is None:
        return None
    return Pending(lab, new_seed() if seed is None else seed)


def owns(event: dict[str, Any]) -> bool:
    """Whether an event is the phase's (not relayed to the learner's run)."""
    key = event.get("op") if event.get("event") == "trace" else event.get("id")
    return isinstance(key, str) and key.startswith(PREFIX)


class Judge:
    """Fed the phase's events in order; decides the generated-traffic check."""

    def __init__(
        self,
        phase: Phase,
        emit: Callable[[dict[str, Any]], None],
        blocked: Callable[[], dict[str, Any] | None],
    ) -> None:
        self.phase, self.emit, self.blocked = phase, emit, blocked
        self.compare = set(phase.lab.traffic.compare) if phase.lab.traffic else set()
        self.results: dict[str, dict[str, Any]] = {}
        self.trace: dict[str, list[str]] = {}
        self.reference_problem: str | None = None
        self.trace_cut = False
        self.difference: Difference | None = None
        self.result: CheckResult | None = None
        self.frames_compared = 0

    # -- feeding ----------------------------------------------------------------------

    def feed(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "trace":
            message = trace_message(event)
            if message.strip():
                self.trace.setdefault(str(event.get("op")), []).append(message)
            return
        op_id = str(event.get("id"))
        if kind == "load":
            if not event.get("ok"):
                self.reference_problem = str(event.get("error") or "rejected")
            return
        self.results[op_id] = event
        if self.result is not None:
            return
        index = op_id.removeprefix(f"{PREFIX}ref:")
        if kind == "test_run" and index.isdigit():
            self._on_pair(int(index))
        if op_id == self.phase.last_op:
            self._on_end()

    def on_truncated(self, event: dict[str, Any]) -> None:
        """A `truncated` event of the run (relayed as usual; the trace stops here)."""
        if event.get("what") == "trace":
            self.trace_cut = True

    def _on_pair(self, i: int) -> None:
        if self.blocked() or self.reference_problem:
            return
        difference = self._frame_difference(i)
        if difference is not None:
            self._decide(difference)

    def _on_end(self) -> None:
        if self.blocked() or self.reference_problem:
            return
        self._decide(self._map_difference())

    # -- comparing --------------------------------------------------------------------

    def _frame_difference(self, i: int) -> Difference | None:
        reference, learner = self.results.get(theirs(i)), self.results.get(mine(i))
        if reference is None or learner is None or not reference.get("ok"):
            return None  # the reference could not run it: the frame says nothing
        self.frames_compared += 1
        program_type, frame = self.phase.lab.program_type, self.phase.frames[i].data
        want = outcome(program_type, int(reference.get("retval", -1)), frame)
        if not learner.get("ok"):
            return self._at(i, "run", want, str(learner.get("error") or ""))
        got = outcome(program_type, int(learner.get("retval", -1)), frame)
        if "action" in self.compare and got != want:
            return self._at(i, "action", want, got)
        if "output" in self.compare and want not in DROPPING:
            expected, actual = _output(reference, frame), _output(learner, frame)
            if not same_output(expected, actual):
                first = packets.differences(expected, actual)[0]
                if first.field == packets.FRAME_BYTES:
                    offset = first.offsets[0]
                    where, a, b = f"{first.field}[{offset}]", expected[offset], actual[offset]
                    return self._at(i, f"output:{where}", f"0x{a:02x}", f"0x{b:02x}")
                return self._at(i, f"output:{first.field}", first.expected, first.actual)
        if "trace" in self.compare:
            if self.trace_cut:
                return self._at(i, "limit", "", "")
            ours, yours = self.trace.get(theirs(i), []), self.trace.get(mine(i), [])
            if ours != yours:
                return self._at(i, "trace", _lines(ours), _lines(yours))
        return None

    def _at(self, i: int, name: str, expected: str, actual: str) -> Difference:
        frame = self.phase.frames[i]
        fields = generator.summary(frame)
        return Difference(name, expected, actual, i, frame.data.hex(), fields)

    def _map_difference(self) -> Difference | None:
        for name in self.phase.maps:
            reference = self.results.get(f"{PREFIX}ref:dump:{name}")
            learner = self.results.get(f"{PREFIX}mine:dump:{name}")
            if reference is None or learner is None or not reference.get("ok"):
                continue
            if not learner.get("ok"):
                return Difference(f"map:{name}", "", str(learner.get("error") or ""))
            want, got = map_contents(reference), map_contents(learner)
            for key in sorted(set(want) | set(got)):
                if want.get(key, 0) != got.get(key, 0):
                    where = f"map:{name}[{_key_words(self.phase.lab, name, key)}]"
                    return Difference(where, str(want.get(key, 0)), str(got.get(key, 0)))
        return None

    # -- deciding ---------------------------------------------------------------------

    def _decide(self, difference: Difference | None) -> None:
        self.difference = difference
        self.result = CheckResult(
            DIFFERENTIAL_CHECK,
            difference is None,
            expected_phrase(self.phase),
            actual_phrase(self.phase, difference),
            describe(self.phase),
        )
        if difference is not None:
            self.result.differences = [self.difference_data()]
        self.emit(self.result.to_event())

    def difference_data(self) -> dict[str, Any]:
        """The first difference with what words it again (the frame count and seed)."""
        assert self.difference is not None
        return {
            **self.difference.to_dict(),
            "frames": len(self.phase.frames),
            "seed": self.phase.seed,
        }

    def finish(self, reason: dict[str, Any] | str | None) -> CheckResult:
        """The check, decided now as not run if nothing decided it. `reason`: words.*
        data, or the sandbox's error as a text."""
        if self.result is None:
            why = self.blocked() or _reason(reason)
            if self.reference_problem:
                error = words.failure(words.REFERENCE_LOAD, detail=self.reference_problem)
                why = {"code": words.SANDBOX, "error": error}
            why = why or {"code": words.SANDBOX}
            self.result = CheckResult(
                DIFFERENTIAL_CHECK,
                False,
                expected_phrase(self.phase),
                words.phrase("not_run", reason=why),
                describe(self.phase),
                reason=why,
            )
            self.emit(self.result.to_event())
        return self.result

    def data(self) -> dict[str, Any]:
        """What the verdict keeps of the phase."""
        return {
            "seed": self.phase.seed,
            "generator": generator.VERSION,
            "frames": len(self.phase.frames),
            "compared": sorted(self.compare),
            "difference": self.difference.to_dict() if self.difference else None,
        }


def _reason(reason: dict[str, Any] | str | None) -> dict[str, Any] | None:
    if isinstance(reason, str):
        return {"code": words.SANDBOX, "error": reason}
    return reason


def not_run_check(lab: LabSpec, seed: int, reason: dict[str, Any]) -> CheckResult:
    """The generated-traffic check of a submission that never reached the sandbox."""
    phase = Phase(lab, seed, [], [])
    frames = lab.traffic.frames if lab.traffic else 0
    return CheckResult(
        DIFFERENTIAL_CHECK,
        False,
        expected_phrase(phase, frames),
        words.phrase("not_run", reason=reason),
        describe(phase, frames),
        reason=reason,
    )


# ---------------------------------------------------------------------------------------
# comparing values


def outcome(program_type: str, retval: int, frame: bytes) -> str:
    """What a return value means, as the contract tells returns apart: an XDP or TC
    action by name; for a socket filter (BPF_PROG_TEST_RUN shows it the frame from its
    network header) keeping the whole packet, however many bytes past it were asked
    for (skb->len, -1, ...), or dropping it, or keeping a part."""
    if program_type == "socket":
        if retval == 0:
            return "0 (drop)"
        return "keep" if retval >= len(frame) - generator.ETH_HLEN else f"{retval} bytes"
    return action_name(program_type, retval)


def outcome_words(value: str) -> str:
    """An outcome() in the reader's language: an action's name stays as it is."""
    if value == "0 (drop)":
        return _("dropped (returns 0)")
    if value == "keep":
        return _("kept whole")
    if value.endswith(" bytes") and value.split(" ")[0].isdigit():
        return _("kept only %(count)s bytes") % {"count": value.split(" ")[0]}
    return value


def _output(event: dict[str, Any], frame: bytes) -> bytes:
    return frame if event.get("unchanged") else bytes.fromhex(event.get("data_out") or "")


def same_output(expected: bytes, actual: bytes) -> bool:
    """Equal, or differing only in checksums written as the other zero (0x0000/0xffff)."""
    if packets.equivalent(expected, actual):
        return True
    if len(expected) != len(actual) or packets.ethertype(expected) != 0x0800:
        return False
    checksums = {24, _l4_checksum_offset(expected)}
    starts = set()
    for i in (i for i, (a, b) in enumerate(zip(expected, actual, strict=True)) if a != b):
        start = i if i in checksums else i - 1
        if start not in checksums:
            return False
        starts.add(start)
    zeros = {b"\x00\x00", b"\xff\xff"}
    return all({expected[s : s + 2], actual[s : s + 2]} == zeros for s in starts)


def _l4_checksum_offset(frame: bytes) -> int:
    if packets.ethertype(frame) != 0x0800 or len(frame) < 34:
        return -1
    start = 14 + (frame[14] & 0x0F) * 4
    return start + {6: 16, 17: 6}.get(frame[23], -start - 1)


def map_contents(dump: dict[str, Any]) -> dict[bytes, Any]:
    """key -> value: integers (per-CPU values summed) for values up to 8 bytes, else the
    bytes; zero values left out (an absent entry reads as zero)."""
    contents: dict[bytes, Any] = {}
    size = int(dump.get("value_size") or 0)
    for entry in dump.get("entries") or []:
        key = bytes.fromhex(entry["key"])
        raw = [bytes.fromhex(v) for v in entry.get("values") or [entry.get("value") or ""]]
        if size <= 8:
            value: Any = sum(values.unpack_int(v) for v in raw)
        else:
            value = b"".join(raw) if len(raw) == 1 else tuple(sorted(v for v in raw if any(v)))
        if value and value != ():
            contents[key] = value
    return contents


def _key_words(lab: LabSpec, name: str, key: bytes) -> str:
    """A key as the lab's map checks write it (`17`, `192.0.2.1`, `24/192.0.2.0`)."""
    check = next((c for c in lab.checks if c.kind == "map" and c.map == name and c.entries), None)
    kinds = _kinds(check)
    sizes = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "be16": 2, "be32": 4, "ipv4": 4}
    if not kinds or sum(sizes.get(k, 99) for k in kinds) != len(key):
        if len(key) in (1, 2, 4, 8):
            return str(int.from_bytes(key, "little"))
        return f"0x{key.hex()}"
    parts, offset = [], 0
    for kind in kinds:
        chunk = key[offset : offset + sizes[kind]]
        offset += len(chunk)
        if kind == "ipv4":
            parts.append(".".join(str(b) for b in chunk))
        else:
            parts.append(str(int.from_bytes(chunk, "big" if kind.startswith("be") else "little")))
    return "/".join(parts)


def _kinds(check: Check | None) -> list[str]:
    if check is None:
        return []
    return [kind for kind, _value in values.fields_of(check.entries[0].key, "u32")]


# ---------------------------------------------------------------------------------------
# words, in the active language (made when the check is)


def describe(phase: Phase, frames: int | None = None) -> dict[str, str]:
    count = len(phase.frames) if frames is None else frames
    words = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            message = _("%(frames)s generated frames: the same results as the reference solution")
            words[language] = message % {"frames": count}
    return words


def expected_phrase(phase: Phase, frames: int | None = None) -> dict[str, Any]:
    count = len(phase.frames) if frames is None else frames
    return words.phrase("generated_expected", frames=count, seed=phase.seed)


def actual_phrase(phase: Phase, difference: Difference | None) -> dict[str, Any]:
    found = difference.to_dict() if difference else None
    return words.phrase("generated", frames=len(phase.frames), difference=found)


def reworded(event: dict[str, Any]) -> dict[str, Any]:
    """A generated-traffic check stored with words (before checks carried phrases), its
    difference worded again (in the active language) from the data it carries."""
    data = (event.get("differences") or [{}])[0]
    try:
        difference = Difference.from_dict(data)
        return {**event, "actual": difference_words(int(data["frames"]), difference)}
    except (KeyError, TypeError, ValueError):
        return event  # a check stored before its difference carried these


def difference_words(frames: int, difference: Difference | None) -> str:
    if difference is None:
        return _("the same on all %(frames)s frames") % {"frames": frames}
    if difference.frame is None:
        return _map_words(frames, difference)
    frame = _("frame %(index)s of %(total)s (%(frame)s)") % {
        "index": difference.frame + 1,
        "total": frames,
        "frame": frame_words(difference.frame_fields or {}),
    }
    kind, _sep, name = difference.field.partition(":")
    expected, actual = difference.expected, difference.actual
    if kind == "trace":  # quoted lines; none is "no line" in the reader's language
        expected, actual = expected or _("no line"), actual or _("no line")
    elif kind == "run":
        expected, actual = outcome_words(expected), actual or _("error")
    elif kind == "action":
        expected, actual = outcome_words(expected), outcome_words(actual)
    context = {"frame": frame, "expected": expected, "actual": actual}
    if kind == "action":
        message = _("%(frame)s: expected %(expected)s, your program returned %(actual)s")
    elif kind == "run":
        message = _("%(frame)s: expected %(expected)s, your program's test run failed: %(actual)s")
    elif kind == "output":
        message = _(
            "%(frame)s: the frame your program returned differs at %(field)s: "
            "expected %(expected)s, got %(actual)s"
        )
        context["field"] = name
    elif kind == "limit":
        message = _("%(frame)s: the trace outgrew what the sandbox keeps")
    else:
        message = _("%(frame)s: expected the lines %(expected)s, your program printed %(actual)s")
    return message % context


def _map_words(frames: int, difference: Difference) -> str:
    _kind, _sep, where = difference.field.partition(":")
    context = {
        "frames": frames,
        "where": where,
        "expected": difference.expected,
        "actual": difference.actual or _("error"),
    }
    if not difference.expected:
        return (
            _("after the %(frames)s generated frames, %(where)s could not be read: %(actual)s")
            % context
        )
    return (
        _("after the %(frames)s generated frames, %(where)s: expected %(expected)s, got %(actual)s")
        % context
    )


def _lines(lines: list[str]) -> str:
    """Quoted lines, as data: "" for none (worded "no line" by difference_words)."""
    return ", ".join(f'"{line}"' for line in lines)


NETWORK_NAMES = {"ipv4": "IPv4", "ipv6": "IPv6", "arp": "ARP"}


def frame_words(info: dict[str, Any]) -> str:
    """`IPv4 UDP, 1500 bytes, from 192.0.2.7 port 40000 to 198.51.100.1 port 53, TTL 64,
    TOS 0x00`: a frame summary (labs.generator.summary) in the reader's language."""
    parts = [_frame_kind(info)]
    if "cut_from" in info:
        parts.append(_("cut to %(length)s of its %(cut_from)s bytes") % info)
    else:
        parts.append(_("%(length)s bytes") % info)
    if "multicast_mac" in info:
        parts.append(_("to the multicast MAC address %(multicast_mac)s") % info)
    network, transport = info.get("network"), info.get("transport")
    if network in ("ipv4", "ipv6") and transport in ("udp", "tcp"):
        parts.append(_("from %(src)s port %(sport)s to %(dst)s port %(dport)s") % info)
    elif network:
        parts.append(_("from %(src)s to %(dst)s") % info)
    if network == "ipv4":
        parts.append(_("TTL %(ttl)s, TOS 0x%(tos)02x") % info)
        if info.get("options"):
            parts.append(_("%(options)s bytes of IPv4 options") % info)
        if "fragment" in info and info.get("more_fragments"):
            parts.append(_("a fragment at byte %(fragment)s, more to follow") % info)
        elif "fragment" in info:
            parts.append(_("the last fragment, at byte %(fragment)s") % info)
    if "head" in info:
        parts.append(_("its first bytes after the IPv4 header %(head)s") % info)
    if network == "ipv6":
        parts.append(_("hop limit %(hlim)s") % info)
    if transport == "icmp":
        parts.append(_("ICMP type %(icmp_type)s code %(icmp_code)s") % info)
    return _(", ").join(parts)


def _frame_kind(info: dict[str, Any]) -> str:
    """`IPv4 UDP`, `VLAN-tagged (ID 7) ARP`, `EtherType 0x88b5 carrying an IPv4-looking
    header`."""
    ethertype = int(info.get("ethertype", 0))
    words = []
    if "vlan" in info:
        words.append(_("VLAN-tagged (ID %(vlan)s)") % info)
        ethertype = int(info.get("inner_ethertype", 0))
    network = info.get("network")
    if network and ethertype in (0x0800, 0x86DD, 0x0806):
        words.append(NETWORK_NAMES[network])
        if info.get("transport"):
            words.append(str(info["transport"]).upper())
        elif network == "ipv4":
            words.append(_("protocol %(proto)s") % info)
    else:
        words.append(_("EtherType 0x%(type)04x") % {"type": ethertype})
        if network == "ipv4":  # an IPv4-looking header behind another EtherType
            words.append(_("carrying an IPv4-looking header"))
    return " ".join(words)
