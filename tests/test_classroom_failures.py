"""How a cohort's runs failed: compile errors, verifier rejections grouped by message class
(from real verifier logs of this kernel), failed checks by name; and the page that shows it."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from django.test import Client

from labs import classroom
from sandbox.compile import compile_source
from tests.builders import make_cohort, make_finished_run, make_instructor, make_lab

BPFFS = Path("/sys/fs/bpf")

PACKET_WITHOUT_BOUNDS_CHECK = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx) {
    unsigned char *data = (void *)(long)ctx->data;
    return data[20] == 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""

LOOKUP_WITHOUT_NULL_CHECK = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 16);
         __type(key, __u32); __type(value, __u64); } pkt_count SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx) {
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(&pkt_count, &key);
    *value += 1;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""

SCALAR_AS_POINTER = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx) {
    int *pointer = (int *)(long)ctx->rx_queue_index;
    return *pointer;
}
char LICENSE[] SEC("license") = "GPL";
"""


def ensure_bpffs() -> None:
    if not any(
        line.split()[1:3] == [str(BPFFS), "bpf"]
        for line in Path("/proc/mounts").read_text().splitlines()
    ):
        subprocess.run(["mount", "-t", "bpf", "bpf", str(BPFFS)], check=True)


def verifier_log_of(source: str, tmp_path: Path) -> str:
    """Compiles with the real clang and loads with bpftool on this kernel; the log it rejects
    the program with."""
    compiled = compile_source(source)
    assert compiled.ok, compiled.output
    obj = tmp_path / f"{uuid.uuid4().hex}.o"
    obj.write_bytes(compiled.object)
    ensure_bpffs()
    pin = BPFFS / f"bpflab-test-{uuid.uuid4().hex[:12]}"
    loaded = subprocess.run(
        ["bpftool", "prog", "loadall", str(obj), str(pin)], capture_output=True, text=True
    )
    subprocess.run(["rm", "-rf", str(pin)], check=False)
    assert loaded.returncode != 0, "the verifier accepted a program it should reject"
    log = loaded.stderr
    begin, end = "-- BEGIN PROG LOAD LOG --", "-- END PROG LOAD LOG --"
    assert begin in log, log
    return log.split(begin, 1)[1].split(end, 1)[0]


@pytest.mark.parametrize(
    ("source", "expected_class", "words"),
    [
        (PACKET_WITHOUT_BOUNDS_CHECK, "pkt_access", "invalid access to packet"),
        (LOOKUP_WITHOUT_NULL_CHECK, "null_deref", "map_value_or_null"),
        (SCALAR_AS_POINTER, "scalar_deref", "invalid mem access 'scalar'"),
    ],
)
def test_it_classifies_real_verifier_rejections(source, expected_class, words, tmp_path):
    log = verifier_log_of(source, tmp_path)
    assert words in classroom.verifier_message(log)
    assert classroom.verifier_class(log)[0] == expected_class


def test_it_groups_messages_that_differ_only_in_registers_and_offsets(tmp_path):
    log = verifier_log_of(PACKET_WITHOUT_BOUNDS_CHECK, tmp_path)
    shifted = verifier_log_of(PACKET_WITHOUT_BOUNDS_CHECK.replace("data[20]", "data[33]"), tmp_path)
    message = classroom.verifier_message(log)
    assert message != classroom.verifier_message(shifted)
    normal = classroom.normalize_verifier_message(message)
    assert normal == classroom.normalize_verifier_message(classroom.verifier_message(shifted))
    assert "20" not in normal and "invalid access to packet" in normal


def test_it_has_no_message_for_an_empty_log():
    assert classroom.verifier_message("") == ""
    assert classroom.verifier_class("")[0] == "no_log"


@pytest.mark.django_db
def test_it_counts_failures_by_kind_message_and_check(
    learner, outsider, tmp_path, django_user_model
):
    instructor = make_instructor()
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")
    cohort = make_cohort(instructor, learner, bob)
    lab = make_lab("xdp-drop-udp-port")
    bounds_log = verifier_log_of(PACKET_WITHOUT_BOUNDS_CHECK, tmp_path)
    null_log = verifier_log_of(LOOKUP_WITHOUT_NULL_CHECK, tmp_path)
    failed_udp = [
        {"name": "drops UDP to 9999", "passed": False},
        {"name": "passes TCP to 9999", "passed": True},
    ]
    make_finished_run(learner, lab, passed=False, stage="compile")
    make_finished_run(learner, lab, passed=False, stage="load", verifier_log=bounds_log)
    make_finished_run(bob, lab, passed=False, stage="load", verifier_log=bounds_log)
    make_finished_run(bob, lab, passed=False, stage="load", verifier_log=null_log)
    make_finished_run(bob, lab, passed=False, stage="done", checks=failed_udp)
    make_finished_run(learner, lab, passed=True)
    make_finished_run(outsider, lab, passed=False, stage="compile")  # not in the cohort
    make_finished_run(learner, lab, passed=False, status="error")

    report = classroom.lab_failures(cohort, lab)

    assert (report.runs, report.passed) == (7, 1)
    assert dict(report.kinds) == {"compile": 1, "verifier": 3, "checks": 1, "platform": 1}
    assert report.verifier_class_rows()[0][0] == "pkt_access"
    assert report.verifier_class_rows()[0][2] == 2
    top_message, top_count = report.verifier_message_rows()[0]
    assert "invalid access to packet" in top_message and top_count == 2
    assert report.failed_check_rows() == [("drops UDP to 9999", 1)]

    client = Client()
    client.force_login(instructor)
    page = client.get(f"/classroom/cohorts/{cohort.pk}/labs/{lab.slug}/").content.decode()
    assert "drops UDP to 9999" in page and "invalid access to packet" in page
    assert 'data-class="pkt_access"' in page and 'data-class="null_deref"' in page
    dashboard = client.get(f"/classroom/cohorts/{cohort.pk}/").content.decode()
    assert "rejected by the verifier: 3" in dashboard


@pytest.mark.django_db
def test_it_counts_a_misspelled_helper_as_a_load_failure_not_a_verifier_rejection(learner):
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    lab = make_lab("map-array-counter")
    logs = Path(__file__).resolve().parent / "verifier_logs"
    typo_log = (logs / "misspelled_helper.local.log").read_text()
    bounds_log = (logs / "packet_unchecked.microvm.log").read_text()
    make_finished_run(learner, lab, passed=False, stage="load", verifier_log=typo_log)
    make_finished_run(learner, lab, passed=False, stage="load", verifier_log=bounds_log)

    report = classroom.lab_failures(cohort, lab)

    assert dict(report.kinds) == {"load": 1, "verifier": 1}
    classes = {key for key, _label, _n in report.verifier_class_rows()}
    load_classes = {key for key, _label, _n in report.load_class_rows()}
    assert classes | load_classes == {"unknown_function", "pkt_access"}
    assert classes == {"pkt_access"} and load_classes == {"unknown_function"}
    assert [m for m, _n in report.verifier_message_rows()][0].startswith("invalid access to packet")
