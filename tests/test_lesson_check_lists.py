"""Every lesson's "What the checks test" list tells the learner about each kind of check
the lab's spec runs, in both languages.

A list that leaves out, say, the frame whose EtherType is not IPv4 but whose bytes look
like IPv4 sends the learner into a failing check they were never told about. The kinds
are read from the packets the checks send; each has words that a list describing it
contains.
"""

from __future__ import annotations

import re
from pathlib import Path

from labs.spec import Check, load_curriculum

CONTENT = Path(__file__).resolve().parent.parent / "content"
HEADINGS = {"en": "## What the checks test", "zh-hans": "## 检查项测什么"}
NETWORK_ETHERTYPES = {0x0800: "ipv4", 0x86DD: "ipv6", 0x0806: "arp"}
UPPER_LAYERS = ("udp", "tcp", "icmp", "raw", "payload")
# the words that mark a kind in a list, per language (any one of them will do)
MARKERS: dict[str, dict[str, tuple[str, ...]]] = {
    "ipv4-options": {"en": ("options",), "zh-hans": ("选项",)},
    "header-only": {"en": ("ends right after", "34-byte"), "zh-hans": ("之后立即结束", "34 字节")},
    "truncated": {"en": ("cut short",), "zh-hans": ("截断",)},
    "ipv6": {"en": ("IPv6",), "zh-hans": ("IPv6",)},
    "arp": {"en": ("ARP",), "zh-hans": ("ARP",)},
}


def check_kinds(check: Check) -> dict[str, dict[str, tuple[str, ...]]]:
    """The kinds of one check, each with its markers per language."""
    if check.kind == "map" and check.map:
        return {f"map {check.map}": _everywhere(check.map)}
    if check.kind == "trigger" and check.argv and check.argv[0].startswith("/"):
        return {f"command {check.argv[0]}": _everywhere(check.argv[0])}
    if check.kind != "packet" or not check.packet:
        return {}
    return {name: MARKERS.get(name) or _everywhere(name) for name in _packet_kinds(check.packet)}


def _packet_kinds(packet: dict) -> list[str]:
    ethertype = packet.get("eth", {}).get("type", 0x0800)
    network = NETWORK_ETHERTYPES.get(ethertype)
    carries_network_header = any(layer in packet for layer in ("ipv4", "ipv6", "arp"))
    if network is None:
        # a look-alike: only the EtherType tells it from the real thing
        return [f"0x{ethertype:04x}"] if carries_network_header else []
    kinds = [] if network == "ipv4" else [network]  # plain IPv4 is every lab's main case
    if "ipv4" in packet and packet["ipv4"].get("options"):
        kinds.append("ipv4-options")
    if "truncate" in packet:
        kinds.append("truncated")
    elif network == "ipv4" and not any(layer in packet for layer in UPPER_LAYERS):
        kinds.append("header-only")
    return kinds


def _everywhere(word: str) -> dict[str, tuple[str, ...]]:
    return {lang: (word,) for lang in HEADINGS}


def checks_section(lesson: str, heading: str) -> str:
    """The lesson's section under `heading`, up to the next second-level heading."""
    match = re.search(rf"^{re.escape(heading)}\s*$(.*?)(?=^## |\Z)", lesson, re.M | re.S)
    return match.group(1) if match else ""


def missing_kinds() -> list[str]:
    curriculum = load_curriculum(CONTENT)
    missing = []
    for lab in curriculum.labs.values():
        for lang, heading in HEADINGS.items():
            # lines are wrapped anywhere: compare with single spaces
            section = " ".join(checks_section(lab.lessons[lang], heading).split())
            if not section:
                missing.append(f"{lab.slug} ({lang}): no '{heading}' section")
                continue
            for check in lab.checks:
                for kind, markers in check_kinds(check).items():
                    if not any(word in section for word in markers[lang]):
                        missing.append(f"{lab.slug} ({lang}): {kind}, for check {check.name}")
    return sorted(set(missing))


def test_it_describes_every_kind_of_check_in_both_languages() -> None:
    assert missing_kinds() == []


def test_it_reads_look_alike_and_header_only_frames_as_kinds_of_their_own() -> None:
    lookalike = {"eth": {"type": 0x88B5}, "ipv4": {"src": "192.0.2.1"}, "udp": {}}
    header_only = {"eth": {}, "ipv4": {"proto": 253}}
    truncated = {"eth": {}, "ipv4": {}, "udp": {}, "truncate": 30}
    bare = {"eth": {"type": 0x88B5}}

    assert _packet_kinds(lookalike) == ["0x88b5"]
    assert _packet_kinds(header_only) == ["header-only"]
    assert _packet_kinds(truncated) == ["truncated"]
    assert _packet_kinds(bare) == []


def test_it_finds_the_section_up_to_the_next_heading() -> None:
    lesson = "## Intro\ntext\n## What the checks test\n- one\n- two\n## Next\nlater\n"

    assert checks_section(lesson, HEADINGS["en"]).strip() == "- one\n- two"
