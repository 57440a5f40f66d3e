"""The lab.yaml fields of stages 7-11 are validated up front like the others."""

from __future__ import annotations

from pathlib import Path

from labs.spec import load_lab
from tests.test_spec_validation import CONTENT, _error, _lab_copy


def test_it_reads_the_tracing_and_socket_labs() -> None:
    fexit = load_lab(CONTENT / "labs" / "fexit-unlink")
    ring = load_lab(CONTENT / "labs" / "ringbuf-exec")
    tail = load_lab(CONTENT / "labs" / "tail-call-proto")

    assert (
        fexit.sections == ("fentry/do_unlinkat", "fexit/do_unlinkat") and fexit.section_per_program
    )
    assert fexit.backends == ("microvm",) and not fexit.runs_on("local")
    assert ring.record and ring.record.size == 68 and ring.record.owner == "pid"
    assert [s.program for s in tail.seeds] == ["handle_tcp", "handle_udp"]
    assert (
        tail.program_names == ("dispatch", "handle_tcp", "handle_udp")
        and tail.test_program == "dispatch"
    )


def test_it_refuses_an_unknown_trigger_placeholder(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["argv"] = ["@rm", "/tmp/{tmpdir}/x"]

    message = _error(_lab_copy(tmp_path, "kprobe-unlink", edit))
    assert "checks[0].argv" in message and "unknown placeholder {tmpdir}" in message


def test_it_refuses_records_of_a_field_the_layout_lacks(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["expect"]["records"] = [{"tgid": "{pid}"}]

    assert "checks[0].expect.records[0]" in _error(_lab_copy(tmp_path, "ringbuf-exec", edit))


def test_it_refuses_a_record_layout_on_a_map_that_is_no_ring(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["maps"][0]["type"] = "array"

    assert "record.map" in _error(_lab_copy(tmp_path, "ringbuf-exec", edit))


def test_it_refuses_an_unknown_backend(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["backends"] = ["firecracker"]

    assert "backends: unknown backends ['firecracker']" in _error(
        _lab_copy(tmp_path, "kprobe-unlink", edit)
    )


def test_it_refuses_a_socket_check_without_keep(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["expect"] = {"action": "XDP_PASS"}

    assert "checks[0].expect.keep: missing" in _error(
        _lab_copy(tmp_path, "socket-filter-dns", edit)
    )


def test_it_refuses_a_packet_check_in_a_tracing_lab(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0] = {
            "name": "p",
            "describe": {"en": "p", "zh-hans": "p"},
            "packet": {"eth": {}},
            "expect": {"action": "XDP_PASS"},
        }

    assert "a tracing lab's checks are triggers" in _error(
        _lab_copy(tmp_path, "kprobe-unlink", edit)
    )
