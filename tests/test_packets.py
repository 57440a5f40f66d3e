"""Test packets are built from lab.yaml layers and compared field by field."""

from __future__ import annotations

import pytest

from labs import packets


def _udp(**ipv4: object) -> dict:
    return {
        "eth": {},
        "ipv4": dict(ipv4),
        "udp": {"sport": 1234, "dport": 9999},
        "payload": {"len": 4},
    }


def test_it_builds_an_ipv4_udp_frame_with_defaults() -> None:
    frame = packets.build(_udp())

    assert len(frame) == 14 + 20 + 8 + 4
    assert frame[0:6] == bytes.fromhex("020000000002")  # dst first
    assert frame[6:12] == bytes.fromhex("020000000001")
    assert packets.ethertype(frame) == 0x0800
    assert frame[26:30] == bytes([192, 0, 2, 1])
    assert frame[22] == 64  # TTL
    assert int.from_bytes(frame[36:38], "big") == 9999
    assert packets.ipv4_proto(frame) == 17


def test_it_honours_ip_options_in_ihl() -> None:
    frame = packets.build(_udp(options=[{"nop": 4}]))

    assert frame[14] & 0x0F == 6
    assert int.from_bytes(frame[14 + 24 + 2 : 14 + 24 + 4], "big") == 9999


def test_it_truncates_after_building() -> None:
    full = packets.build(_udp())
    cut = packets.build({**_udp(), "truncate": 20})

    assert cut == full[:20]


@pytest.mark.parametrize(
    "spec",
    [
        {"eth": {}, "ipv4": {"colour": 1}},
        {"eth": {}, "sctp": {}},
        {"eth": {}, "payload": {"len": 2}, "udp": {}},
        {**_udp(), "truncate": 999},
        {"eth": {}, "ipv4": {"src": "not-an-address"}},
    ],
)
def test_it_rejects_bad_specs_naming_the_layer(spec: dict) -> None:
    with pytest.raises(packets.PacketSpecError):
        packets.build(spec)


def _words(differences: list[packets.Difference]) -> list[str]:
    return [difference.words() for difference in differences]


def test_it_names_the_fields_that_differ() -> None:
    original = packets.build(_udp())
    expected = packets.build(
        packets.with_overrides(
            _udp(), {"eth": {"src": "02:00:00:00:00:02", "dst": "02:00:00:00:00:01"}}
        )
    )

    lines = _words(packets.differences(expected, original, original))

    assert "eth.src: expected 02:00:00:00:00:02, got 02:00:00:00:00:01" in lines
    assert "eth.dst: expected 02:00:00:00:00:01, got 02:00:00:00:00:02" in lines
    assert len(lines) == 2


def test_it_says_when_the_checksum_was_not_updated() -> None:
    original = packets.build(_udp(tos=0))
    expected = packets.build(_udp(tos=0xB8))
    tos_only = bytearray(original)
    tos_only[15] = 0xB8

    lines = _words(packets.differences(expected, bytes(tos_only), original))

    assert len(lines) == 1
    assert lines[0].startswith("ipv4.chksum: expected ")
    assert lines[0].endswith("(checksum not updated)")


def _zero_checksum_frame() -> bytes:
    """A frame whose IPv4 checksum computes to 0x0000: the IP id makes the sum 0xffff."""
    header = bytearray(packets.build(_udp(id=0))[14:34])
    header[10:12] = b"\x00\x00"
    total = sum(int.from_bytes(header[i : i + 2], "big") for i in range(0, 20, 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    frame = packets.build(_udp(id=0xFFFF - total))
    assert frame[24:26] == b"\x00\x00"
    return frame


def test_it_accepts_the_other_zero_of_a_valid_checksum() -> None:
    expected = _zero_checksum_frame()
    other_zero = expected[:24] + b"\xff\xff" + expected[26:]
    broken = expected[:24] + b"\xff\xfe" + expected[26:]

    assert packets.equivalent(expected, other_zero)
    assert packets.differences(expected, other_zero) == []
    assert not packets.equivalent(expected, broken)
    assert _words(packets.differences(expected, broken, expected))[0].endswith("(checksum invalid)")


def test_it_reports_a_length_change() -> None:
    frame = packets.build(_udp())

    assert _words(packets.differences(frame, frame[:-2])) == [
        f"frame length: expected {len(frame)} bytes, got {len(frame) - 2}"
    ]
