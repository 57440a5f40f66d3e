"""The grader's own words (expected/actual, summary, load messages) in the learner's language:
English by default, Simplified Chinese under zh-hans; technical tokens stay as they are.
Real clang, real kernel, local backend."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from labs.grading import Verdict, grade, words
from labs.spec import load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"
CJK = re.compile(r"[\u4e00-\u9fff]")

HEADERS = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
LICENSE = 'char LICENSE[] SEC("license") = "GPL";\n'
# Sends every frame back untouched: the MAC swap is missing, and ARP is not passed.
TX_WITHOUT_SWAP = (
    HEADERS + 'SEC("xdp")\nint swap(struct xdp_md *ctx)\n{\n\treturn XDP_TX;\n}\n' + LICENSE
)
# Counts every packet twice: pkt_count[0] ends at 20 instead of 10.
COUNTS_TWICE = (
    (CONTENT / "labs" / "map-array-counter" / "solution.c")
    .read_text()
    .replace("__sync_fetch_and_add(count, 1)", "__sync_fetch_and_add(count, 2)")
)
# Reads the packet without checking data_end: the verifier rejects it.
UNCHECKED_READ = (
    HEADERS
    + 'SEC("xdp")\nint swap(struct xdp_md *ctx)\n{\n'
    + "\tunsigned char *data = (void *)(long)ctx->data;\n"
    + "\treturn data[5] ? XDP_TX : XDP_PASS;\n}\n"
    + LICENSE
)


def _grade(slug: str, source: str, language: str | None = None) -> Verdict:
    lab = load_lab_by_slug(CONTENT, slug)
    with translation.override(language or "en"):
        return grade(lab, source, backend="local")


def _check(verdict: Verdict, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in verdict.checks if c.name == name)


def test_it_words_packet_differences_in_chinese_under_zh_hans() -> None:
    verdict = _grade("xdp-swap-tx", TX_WITHOUT_SWAP, "zh-hans")

    swapped = _check(verdict, "udp-swapped-and-sent")
    with translation.override("zh-hans"):  # a check is worded for its reader
        assert CJK.search(swapped.actual) and CJK.search(swapped.expected)
        assert "eth.src" in swapped.actual and "02:00:00:00:00:0b" in swapped.actual
        assert "XDP_TX" in swapped.expected and "02:00:00:00:00:0a" in swapped.expected
        arp = _check(verdict, "arp-passed-unchanged")
        assert CJK.search(arp.actual) and "XDP_PASS" in arp.actual and "XDP_TX" in arp.actual
    assert CJK.search(verdict.summary) and str(len(verdict.checks)) in verdict.summary


def test_it_words_the_same_verdict_in_english_by_default() -> None:
    verdict = _grade("xdp-swap-tx", TX_WITHOUT_SWAP)

    swapped = _check(verdict, "udp-swapped-and-sent")
    assert "eth.src: expected 02:00:00:00:00:0b, got 02:00:00:00:00:0a" in swapped.actual
    assert "eth.src 02:00:00:00:00:0b (was 02:00:00:00:00:0a)" in swapped.expected
    assert _check(verdict, "arp-passed-unchanged").actual.startswith(
        "expected XDP_PASS, got XDP_TX"
    )
    texts = [verdict.summary] + [t for c in verdict.checks for t in (c.expected, c.actual)]
    assert not any(CJK.search(text) for text in texts)


@pytest.mark.parametrize(
    ("language", "wanted"),
    [("en", "[0]: expected 10, got 20"), ("zh-hans", "[0]：应为 10，实际为 20")],
)
def test_it_words_map_entry_differences_in_the_language(language: str, wanted: str) -> None:
    verdict = _grade("map-array-counter", COUNTS_TWICE, language)

    counted = _check(verdict, "every-packet-counted")
    with translation.override(language):  # a check is worded for its reader
        assert not counted.passed and wanted in counted.actual
        assert "pkt_count" in counted.expected
        assert bool(CJK.search(counted.expected)) is (language == "zh-hans")


def test_it_words_a_verifier_rejection_in_chinese_keeping_the_verifier_text() -> None:
    verdict = _grade("xdp-swap-tx", UNCHECKED_READ, "zh-hans")

    assert verdict.stage == "load"
    with translation.override("zh-hans"):  # a check is worded for its reader
        actual = verdict.checks[0].actual
    assert CJK.search(actual) and re.search(r"prog\.c:\d+", actual)
    assert "invalid access to packet" in actual, "the verifier's own words stay English"
    assert CJK.search(verdict.summary) and "invalid access to packet" in verdict.summary
    assert "not run" not in verdict.summary


def test_it_grades_in_the_language_given_to_the_grade_command(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text(COUNTS_TWICE)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "grade", "map-array-counter", str(source), "--json", "--language", "zh-hans", stdout=out
        )

    report = json.loads(out.getvalue())
    assert CJK.search(report["summary"])
    assert any("实际为 20" in check["actual"] for check in report["checks"])


@pytest.mark.django_db
def test_it_stores_check_events_as_data_a_chinese_submitter_reads_in_chinese(
    content, learner
) -> None:
    from labs.models import Lab, RunEvent
    from labs.runner import execute_run
    from labs.submissions import submit

    lab = Lab.objects.get(slug="map-array-counter")
    run = submit(learner, lab, COUNTS_TWICE, backend="local", language="zh-hans")
    execute_run(run.pk)

    run.refresh_from_db()
    checks = [e.data for e in RunEvent.objects.filter(run=run, kind="check")]
    failed = next(c for c in checks if c["name"] == "every-packet-counted")
    assert run.language == "zh-hans" and run.status == "done"
    # stored as data; its submitter reads it in Chinese
    stored = [failed["expected"], failed["actual"]]
    assert not CJK.search(json.dumps(stored, ensure_ascii=False))
    with translation.override(run.language):
        said = words.check_words(failed)
    assert CJK.search(said["actual"]) and "pkt_count" in said["expected"]
    assert CJK.search(run.verdict["summary"])


@pytest.mark.django_db
def test_it_records_the_language_of_the_page_a_run_was_submitted_from(client, learner) -> None:
    from labs.models import Run
    from tests.builders import make_lab

    make_lab()
    client.force_login(learner)
    client.post("/labs/hello-printk/run/", {"source": "int x;\n"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.post("/labs/hello-printk/run/", {"source": "int y;\n"}, HTTP_ACCEPT_LANGUAGE="en")

    languages = list(Run.objects.order_by("created_at").values_list("language", flat=True))
    assert languages == ["zh-hans", "en"]


@pytest.mark.django_db
def test_it_words_a_lost_run_failure_in_the_language_of_its_reader(learner, settings) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from labs.models import Run
    from labs.runner import reap_if_stale
    from tests.builders import make_run

    settings.RUN_MAX_ATTEMPTS = 1
    chinese, english = make_run(learner), make_run(learner)
    Run.objects.filter(pk=chinese.pk).update(language="zh-hans")
    Run.objects.update(
        status=Run.RUNNING, attempt=1, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    chinese.refresh_from_db()
    english.refresh_from_db()

    assert reap_if_stale(chinese) and reap_if_stale(english)
    chinese.refresh_from_db()
    english.refresh_from_db()
    assert chinese.failure == english.failure == {"code": "worker_lost", "attempts": 1}
    with translation.override("zh-hans"):
        assert CJK.search(chinese.error_words)
    with translation.override("en"):
        assert english.error_words.startswith("the run did not finish")
