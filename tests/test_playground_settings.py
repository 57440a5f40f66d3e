"""Playground settings are data, validated in one place (labs.playground), and the form's
fields turn into them and back."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from labs import playground
from labs.playground import SettingsError, parse_settings
from web.playground import forms


def test_it_fills_in_an_xdp_hook_and_one_udp_packet_by_default() -> None:
    cfg = parse_settings({})
    assert cfg.hook == "xdp" and cfg.repeat == 1
    assert len(cfg.frames) == 1 and cfg.frames[0][12:14] == b"\x08\x00"
    assert cfg.to_dict() == {
        "hook": "xdp",
        "seeds": [],
        "packets": [playground.DEFAULT_PACKET],
        "repeat": 1,
    }


def test_it_builds_packets_from_fields_or_from_hex() -> None:
    frame = "02" * 6 + "04" * 6 + "0806" + "00" * 28
    cfg = parse_settings(
        {"hook": "tc", "packets": [{"fields": {"eth": {}, "ipv4": {"ttl": 7}}}, {"hex": frame}]}
    )
    assert cfg.frames[0][22] == 7  # the IPv4 TTL byte
    assert cfg.frames[1].hex() == frame


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"hook": "uprobe"}, "Unknown hook"),
        ({"packets": [{"hex": "zz"}]}, "packet 1: not hex"),
        ({"packets": [{"hex": "00"}]}, "is 1 bytes"),
        ({"packets": [{"fields": {"ipv4": {"nosuch": 1}}}]}, "unknown field"),
        ({"repeat": 0}, "repeat must be a whole number"),
        ({"hook": "tracepoint", "trigger": ["/bin/sh", "-c", "reboot"]}, "not a trigger"),
        ({"seeds": [{"key": 1}]}, "name the map"),
        ({"live": {"seconds": 999}}, "seconds must be a whole number from 1 to 30"),
        ({"hook": "socket", "live": {"seconds": 2}}, "XDP or TC"),
    ],
)
def test_it_refuses_settings_it_cannot_run_and_says_why(raw: dict, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        parse_settings(raw)


def test_it_packs_numeric_seeds_as_a_u32_key_and_a_u64_value() -> None:
    cfg = parse_settings({"seeds": [{"map": "limits", "key": 1, "value": 300}]})
    assert cfg.seeds == [{"map": "limits", "key": "01000000", "value": "2c01000000000000"}]


def test_it_reads_the_form_and_shows_stored_settings_in_it_again() -> None:
    post = QueryDict(mutable=True)
    post.update({"hook": "xdp", "repeat": "3", "seeds": "counts 1 5\n"})
    post.update({"packet-0-kind": "tcp", "packet-0-dport": "443", "packet-0-ttl": "9"})
    post.update({"packet-1-kind": "hex", "packet-1-hex": "ff" * 14})
    post.update({"live": "1", "live-seconds": "4", "live-rate": "50"})
    cfg = parse_settings(forms.settings_from_post(post)).to_dict()

    assert cfg["repeat"] == 3 and cfg["live"] == {"seconds": 4, "rate": 50}
    assert cfg["packets"][0]["fields"]["tcp"]["dport"] == 443
    assert cfg["packets"][1] == {"hex": "ff" * 14}
    values = forms.form_values(cfg)
    assert values["packets"][0]["kind"] == "tcp" and values["packets"][0]["ttl"] == 9
    assert values["packets"][1]["kind"] == "hex" and values["packets"][2]["kind"] == ""
    assert values["seeds"] == "counts 01000000 0500000000000000"
    assert values["live"] and values["live_seconds"] == 4
