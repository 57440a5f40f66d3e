"""The differential phase: generated frames through the learner's program and the lab's
reference in one sandbox job; the first difference becomes a check worded for the learner,
kept as data in the verdict, and replayed by the same seed. Real clang, real kernel."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from labs.grading import grade
from labs.grading.differential import map_contents, same_output
from labs.spec import DIFFERENTIAL_CHECK, load_lab_spec
from sandbox.backends.local import LocalBackend

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "content" / "labs"
SOLUTIONS = ROOT / "tests" / "solutions"


def lab(slug: str):  # type: ignore[no-untyped-def]
    return load_lab_spec(LABS / slug)


def generated(verdict):  # type: ignore[no-untyped-def]
    return next(c for c in verdict.checks if c.name == DIFFERENTIAL_CHECK)


def fixed_checks_pass(verdict) -> bool:  # type: ignore[no-untyped-def]
    return all(c.passed for c in verdict.checks if c.name != DIFFERENTIAL_CHECK)


def test_it_closes_the_short_frame_gap_of_drop_all() -> None:
    source = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()

    verdict = grade(lab("xdp-drop-all"), source, seed=11)

    check = generated(verdict)
    difference = verdict.differential["difference"]
    assert fixed_checks_pass(verdict) and not verdict.passed and not check.passed
    assert difference["field"] == "action"
    assert (difference["expected"], difference["actual"]) == ("XDP_DROP", "XDP_PASS")
    assert difference["frame_fields"]["length"] >= 64
    assert f"{difference['frame_fields']['length']} " in check.actual
    assert "expected XDP_DROP, your program returned XDP_PASS" in check.actual
    assert f"seed {verdict.seed}" in check.expected


def test_it_replays_the_same_frames_for_the_same_seed() -> None:
    source = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()

    first = grade(lab("xdp-drop-all"), source, seed=5)
    again = grade(lab("xdp-drop-all"), source, seed=5)

    assert first.seed == again.seed == 5
    assert first.differential["difference"] == again.differential["difference"]


def test_it_passes_the_reference_and_a_program_written_otherwise() -> None:
    spec = lab("xdp-drop-udp-port")
    other = (SOLUTIONS / "xdp-drop-udp-port" / "ok_whole_udp_header_bytes.c").read_text()

    for source in (spec.solution, other):
        verdict = grade(spec, source)
        assert verdict.passed, generated(verdict).actual
        assert generated(verdict).actual == "the same on all 200 frames"
        assert verdict.differential["difference"] is None


def test_it_reports_output_bytes_that_differ() -> None:
    source = (SOLUTIONS / "xdp-swap-tx" / "bad_jumbo_untouched.c").read_text()

    verdict = grade(lab("xdp-swap-tx"), source, seed=3)

    difference = verdict.differential["difference"]
    assert fixed_checks_pass(verdict) and not verdict.passed
    assert difference["field"] in ("output:eth.dst", "output:eth.src")
    assert "the frame your program returned differs at eth." in generated(verdict).actual


def test_it_reports_trace_lines_that_differ() -> None:
    source = (SOLUTIONS / "printk-fields" / "bad_len_in_a_byte.c").read_text()

    verdict = grade(lab("printk-fields"), source, seed=3)

    difference = verdict.differential["difference"]
    length = difference["frame_fields"]["length"]
    assert difference["field"] == "trace"
    assert difference["expected"].startswith(f'"len={length} proto=0x')
    assert difference["actual"].startswith(f'"len={length % 256} proto=0x')
    assert "your program printed" in generated(verdict).actual


def test_it_compares_maps_after_the_same_sequence() -> None:
    source = (SOLUTIONS / "map-array-counter" / "bad_skips_long_frames.c").read_text()

    verdict = grade(lab("map-array-counter"), source, seed=3)

    difference = verdict.differential["difference"]
    assert fixed_checks_pass(verdict) and not verdict.passed
    assert difference["field"] == "map:pkt_count[0]" and difference["frame"] is None
    # the reference saw the fixed checks' runs too: its count is all runs of the job
    runs = sum(c.repeat for c in lab("map-array-counter").checks if c.kind == "packet")
    assert int(difference["expected"]) == runs + 200 > int(difference["actual"])
    assert "after the 200 generated frames, pkt_count[0]: expected" in generated(verdict).actual


def test_it_sends_one_check_event_last_and_none_of_the_phase_s_own_events() -> None:
    events: list[dict] = []
    source = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()

    grade(lab("xdp-drop-all"), source, on_event=events.append, seed=2)

    checks = [e for e in events if e["event"] == "check"]
    assert checks[-1]["name"] == DIFFERENTIAL_CHECK and not checks[-1]["passed"]
    assert [e["name"] for e in checks].count(DIFFERENTIAL_CHECK) == 1
    assert events[-1]["event"] == "verdict"
    assert not [e for e in events if str(e.get("id") or e.get("op") or "").startswith("diff:")]
    assert len(events) < 60


def test_it_words_the_difference_in_the_learner_s_language() -> None:
    source = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()

    with translation.override("zh-hans"):
        verdict = grade(lab("xdp-drop-all"), source, seed=11)

    check = generated(verdict)
    with translation.override("zh-hans"):  # a check is worded for its reader
        assert "XDP_DROP" in check.actual and "你的程序返回" in check.actual
        assert "字节" in check.actual
    assert check.describe["en"].startswith("200 generated frames")
    assert check.describe["zh-hans"].startswith("200 个生成的帧")


def test_it_marks_the_phase_not_run_when_the_program_does_not_compile() -> None:
    verdict = grade(lab("xdp-drop-all"), "int main(void) { return }", seed=1)

    check = generated(verdict)
    assert verdict.stage == "compile" and not check.passed
    assert check.actual.startswith("not run: ")


def test_it_takes_either_zero_of_ones_complement_for_a_checksum() -> None:
    frame = bytearray(64)
    frame[12:14] = b"\x08\x00"
    frame[14], frame[23] = 0x45, 6
    zero, ones = bytes(frame), bytes(frame[:50] + b"\xff\xff" + frame[52:])

    assert same_output(zero, ones)  # the TCP checksum at 14 + 20 + 16
    assert not same_output(zero, bytes(frame[:49] + b"\xff" + frame[50:]))


def test_it_sums_per_cpu_values_and_reads_an_absent_entry_as_zero() -> None:
    dump = {
        "value_size": 8,
        "entries": [
            {"key": "11000000", "values": ["0100000000000000", "0200000000000000"]},
            {"key": "06000000", "values": ["0000000000000000", "0000000000000000"]},
        ],
    }

    assert map_contents(dump) == {bytes.fromhex("11000000"): 3}


def test_it_words_the_difference_again_in_a_viewer_s_language() -> None:
    from labs.grading import words

    source = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()
    event = generated(grade(lab("xdp-drop-all"), source, seed=11)).to_event()

    with translation.override("zh-hans"):
        again = words.check_event(event)

    assert "your program returned" in words.say(event["actual"])
    assert "你的程序返回 XDP_PASS" in again["actual"]
    assert again["differences"][0]["seed"] == 11


def test_it_tells_socket_filter_returns_apart_as_the_contract_does() -> None:
    from labs.grading.differential import outcome

    frame = bytes(14 + 60)  # a socket filter sees 60 bytes from the network header

    assert outcome("socket", 60, frame) == outcome("socket", 2**32 - 1, frame) == "keep"
    assert outcome("socket", 65535, frame) == "keep"
    assert outcome("socket", 0, frame) == "0 (drop)"
    assert outcome("socket", 20, frame) == "20 bytes"
    assert outcome("xdp", 1, frame) == "XDP_DROP"
