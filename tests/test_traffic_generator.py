"""The traffic generator: a lab's `differential:` section and a seed give the same frames
every time, covering what the contract speaks of, built exactly as lab.yaml packets are."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from labs import generator, packets
from labs.generator import TrafficSpec, TrafficSpecError, generate, parse_traffic
from labs.spec import ContentError, load_curriculum

CONTENT = Path(__file__).resolve().parent.parent / "content"
WIDE = TrafficSpec(ports=(9999,), addresses=("192.0.2.0/24",), ttl=(1,), tos=(0xB8,))


def lab_sections() -> list[tuple[str, str, TrafficSpec]]:
    labs = load_curriculum(CONTENT, with_prose=False).labs.values()
    return [(lab.slug, lab.program_type, lab.traffic) for lab in labs if lab.traffic]


def ethertype(frame: generator.Frame) -> int:
    return packets.ethertype(frame.data)


def test_it_draws_the_same_frames_for_the_same_seed_and_others_for_another() -> None:
    first = [f.data for f in generate(WIDE, 7, "xdp")]

    assert [f.data for f in generate(WIDE, 7, "xdp")] == first
    assert [f.data for f in generate(WIDE, 8, "xdp")] != first
    assert len(first) == 200 and len(set(first)) == 200


@pytest.mark.parametrize("slug,program_type,traffic", lab_sections(), ids=lambda v: str(v)[:20])
def test_it_builds_every_frame_as_the_packet_format_does(slug, program_type, traffic) -> None:  # type: ignore[no-untyped-def]
    for seed in range(3):
        for frame in generate(traffic, seed, program_type):
            assert packets.build(frame.spec) == frame.data, (slug, seed, frame.spec)


def whole_ipv4_frames(frames: list[generator.Frame]) -> list[dict]:
    return [f.spec for f in frames if "truncate" not in f.spec and ethertype(f) == 0x0800]


def carries(spec: dict, protocol: str, port: int | None, end: str, address: str | None) -> bool:
    if protocol not in spec or "ipv4" not in spec:
        return False
    port_ok = port is None or spec[protocol]["dport"] == port
    return port_ok and (address is None or str(spec["ipv4"][end]) == address)


# 817418334: a seed whose xdp-lb frames held no TCP to 203.0.113.10:80 before the
# generator placed the lab's own values in whole frames of every draw.
@pytest.mark.parametrize("seed", [817418334, *range(40)])
@pytest.mark.parametrize("slug,program_type,traffic", lab_sections(), ids=lambda v: str(v)[:20])
def test_it_sends_the_labs_ports_and_addresses_in_whole_frames_every_time(  # type: ignore[no-untyped-def]
    slug, program_type, traffic, seed
) -> None:
    frames = whole_ipv4_frames(generate(traffic, seed, program_type))
    protocols = [p for p in ("udp", "tcp") if traffic.protocols.get(p)]
    ports = traffic.ports or (None,)
    addresses = [a.split("/")[0] for a in traffic.addresses] or [None]

    for protocol in protocols:
        for port in ports:
            for address in addresses:
                for end in ("dst", "src") if address else ("dst",):
                    assert any(carries(s, protocol, port, end, address) for s in frames), (
                        slug,
                        seed,
                        protocol,
                        port,
                        end,
                        address,
                    )


def test_it_covers_lengths_ethertypes_options_and_protocols() -> None:
    frames = [f for seed in range(3) for f in generate(WIDE, seed, "xdp")]
    lengths = [len(f.data) for f in frames]
    types = {ethertype(f) for f in frames}
    specs = [f.spec for f in frames]

    assert min(lengths) == 14 and max(lengths) == 1514
    assert {0x0800, 0x86DD, 0x0806, 0x8100} <= types and types - {0x0800, 0x86DD, 0x0806, 0x8100}
    assert any("options" in s.get("ipv4", {}) for s in specs)
    assert any("ipv4" in s and "options" not in s["ipv4"] for s in specs)
    assert {"udp", "tcp", "icmp"} <= {layer for s in specs for layer in s}
    assert any(s.get("ipv4", {}).get("proto") for s in specs)  # protocols besides those
    assert any(s.get("udp", {}).get("dport") == 9999 for s in specs)
    assert any(s.get("udp", {}).get("sport") == 9999 for s in specs)
    assert any(s.get("udp", {}).get("dport") == 0x0F27 for s in specs)  # 9999 byte-swapped
    assert {s["ipv4"]["ttl"] for s in specs if "ipv4" in s} >= {0, 1, 2, 255}


def test_it_cuts_a_frame_at_every_header_boundary() -> None:
    frames = generate(dataclasses.replace(WIDE, depth="ethernet"), 3, "xdp")
    cut = {len(f.data) for f in frames if "truncate" in f.spec and "udp" in f.spec}

    # Ethernet; IPv4 one byte short, whole; UDP ports one byte short, whole; UDP header
    assert {14, 33, 34, 37, 38, 41} <= cut


def test_it_leaves_alone_the_cuts_a_contract_leaves_open() -> None:
    network = dataclasses.replace(WIDE, depth="network", ipv4_options=1.0, truncated=1.0)
    transport = dataclasses.replace(WIDE, depth="transport", truncated=1.0)
    for frame in generate(network, 4, "xdp"):
        ipv4 = frame.spec.get("ipv4", {})
        options = len(ipv4.get("options", "")) // 2
        if "truncate" in frame.spec and options and "vlan" not in frame.spec:
            assert not 34 <= len(frame.data) < 34 + options, frame.spec
    for frame in generate(transport, 4, "xdp"):
        if (
            "truncate" in frame.spec
            and "udp" in frame.spec
            and "ipv4" in frame.spec
            and "vlan" not in frame.spec
        ):
            start = 14 + 20 + len(frame.spec["ipv4"].get("options", "")) // 2
            assert not start + 4 <= len(frame.data) < start + 8, frame.spec


def test_it_keeps_tc_frames_to_what_the_kernel_test_runs() -> None:
    for frame in generate(dataclasses.replace(WIDE, truncated=1.0), 5, "tc"):
        assert len(frame.data) >= generator.SKB_MIN_FRAME.get(ethertype(frame), 14)


def test_it_puts_no_ipv4_inside_a_vlan_tag_where_the_lab_leaves_it_open() -> None:
    frames = generate(dataclasses.replace(WIDE, vlan_payload="other"), 6, "xdp")
    tagged = [f for f in frames if ethertype(f) == 0x8100]

    assert tagged and all(f.spec["vlan"]["type"] != 0x0800 for f in tagged)


def test_it_names_the_field_at_fault_in_a_bad_section() -> None:
    with pytest.raises(TrafficSpecError, match=r"differential\.mix\.ipx: unknown"):
        parse_traffic({"mix": {"ipx": 1}})
    with pytest.raises(TrafficSpecError, match=r"differential\.frames: expected an integer"):
        parse_traffic({"frames": 0})
    with pytest.raises(TrafficSpecError, match=r"addresses\[0\]: 10\.0\.0\.0/8 is outside"):
        parse_traffic({"addresses": ["10.0.0.0/8"]})
    with pytest.raises(TrafficSpecError, match=r"differential\.compare: unknown 'bytes'"):
        parse_traffic({"compare": ["bytes"]})
    assert parse_traffic({}) == TrafficSpec()
    assert parse_traffic(WIDE.to_dict()) == WIDE


def test_it_refuses_a_section_in_a_lab_that_cannot_test_run(tmp_path: Path) -> None:
    folder = tmp_path / "tp-execve"
    folder.mkdir()
    for item in (CONTENT / "labs" / "tp-execve").iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    spec = folder / "lab.yaml"
    spec.write_text(spec.read_text() + "differential: {}\n")

    from labs.spec import load_lab_spec

    with pytest.raises(ContentError, match="generated traffic needs a packet lab"):
        load_lab_spec(folder)


def test_it_sends_frames_to_multicast_mac_addresses() -> None:
    frames = generate(WIDE, 8, "xdp")
    groups = {f.data[:6] for f in frames if f.data[0] & 1 and f.data[:6] != b"\xff" * 6}

    assert groups  # a program that skips group frames (not broadcast) must show


def test_it_fragments_only_where_the_lab_reads_no_transport_header() -> None:
    def fragments(traffic: TrafficSpec) -> list[dict]:
        frames = [f for seed in range(3) for f in generate(traffic, seed, "xdp")]
        ipv4 = [f.spec["ipv4"] for f in frames if "ipv4" in f.spec]
        return [h for h in ipv4 if h["frag"] or h["flags"] & 1]

    assert fragments(dataclasses.replace(WIDE, depth="network"))
    assert not fragments(dataclasses.replace(WIDE, depth="transport"))


@pytest.mark.parametrize("seed", range(5))
def test_it_sends_the_labs_port_behind_protocols_that_are_not_udp(seed: int) -> None:
    frames = generate(WIDE, seed, "xdp")
    ported = {
        f.data[23]
        for f in frames
        if "raw" in f.spec and f.data[12:14] == b"\x08\x00" and f.data[36:38] == b"\x27\x0f"
    }

    assert {33, 132, 136} <= ported  # DCCP, SCTP, UDP-Lite with 9999 where UDP's port is


def test_it_fills_payloads_with_the_pattern_and_with_random_bytes() -> None:
    frames = generate(WIDE, 9, "xdp")
    payloads = [f.spec["payload"] for f in frames if "payload" in f.spec]

    assert any("len" in p for p in payloads)
    randoms = [bytes.fromhex(p["hex"]) for p in payloads if "hex" in p]
    assert randoms and any(r != generator.PAYLOAD_PATTERN[: len(r)] for r in randoms)


@pytest.mark.parametrize("seed", range(5))
def test_it_sends_the_labs_port_behind_the_longest_ipv4_header(seed: int) -> None:
    frames = generate(WIDE, seed, "xdp")
    longest = [
        f
        for f in frames
        if "truncate" not in f.spec
        and f.spec.get("udp", {}).get("dport") == 9999
        and len(f.spec.get("ipv4", {}).get("options", "")) == 80  # 40 bytes: IHL 15
    ]

    assert longest  # a program honouring only some IHLs reads the port elsewhere
