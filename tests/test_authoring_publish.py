"""Self-check, publish, runs on a version and re-grading, for real: the self-check's runs
and the re-grade go through Redis to a Celery worker grading in the sandbox."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from labs import authoring
from labs.models import AuthoredLab, Lab, Run, Submission
from tests.builders import make_authored_lab, make_cohort, make_instructor

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "course-drop-all"
ARP_PASSES = """\
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all_but_arp(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    if (data + 14 <= end && data[12] == 0x08 && data[13] == 0x06)
        return XDP_PASS;
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
"""


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _wait(condition, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def _self_check(client: Client) -> authoring.SelfCheck:
    response = client.post(reverse("authoring:self_check", args=[SLUG]))
    assert response.status_code == 302
    authored = AuthoredLab.objects.get(lab__slug=SLUG)
    latest = authoring.latest_self_check(authored)
    assert response["Location"] == reverse(
        "authoring:self_check_page", args=[SLUG, latest.version.pk]
    )
    _wait(lambda: authoring.self_check(latest.version).result is not None)
    return authoring.self_check(latest.version)


def test_it_self_checks_publishes_and_regrades_through_the_queue(live_stack, learner):
    instructor = make_instructor()
    authored = make_authored_lab(instructor, SLUG)
    authored.cohorts.add(make_cohort(instructor, learner))
    owner = _client(instructor)

    refused = owner.post(reverse("authoring:publish", args=[SLUG]), follow=True)
    assert "self-check on these files before publishing" in refused.content.decode()

    check = _self_check(owner)
    assert check.result["solution_passed"] and check.result["starter_failed"]
    assert check.result["reference_agrees"] is True
    assert {run.submission.via for run in check.runs.values()} == {Submission.SELF_CHECK}
    page = owner.get(reverse("authoring:self_check_page", args=[SLUG, check.version.pk]))
    assert "The self-check passed." in page.content.decode()

    owner.post(reverse("authoring:publish", args=[SLUG]))
    authored.refresh_from_db()
    assert authored.current.number == 1
    lab = Lab.objects.get(slug=SLUG)
    assert lab.is_active and lab.title["en"] == "Drop everything"

    # a learner of the cohort runs it: the run records version 1
    student = _client(learner)
    student.post(reverse("lab-run", args=[SLUG]), {"source": lab.solution})
    first = Run.objects.get(submission__user=learner)
    _wait(lambda: Run.objects.get(pk=first.pk).is_finished)
    first.refresh_from_db()
    assert first.passed and first.lab_version.number == 1

    # version 2 asks for XDP_PASS on ARP: the learner's old program now fails one check
    files = dict(authored.files)
    files["lab.yaml"] = files["lab.yaml"].replace(
        "arp: {op: 1}\n    expect: {action: XDP_DROP}",
        "arp: {op: 1}\n    expect: {action: XDP_PASS}",
    )
    files["solution.c"] = ARP_PASSES
    authoring.save_files(authored, files)
    check = _self_check(owner)
    assert check.ok, check.result
    owner.post(reverse("authoring:publish", args=[SLUG]))
    authored.refresh_from_db()
    assert authored.current.number == 2

    owner.post(reverse("authoring:regrade", args=[SLUG]))
    regraded = Run.objects.get(submission=first.submission, is_regrade=True)
    _wait(lambda: Run.objects.get(pk=regraded.pk).is_finished)
    regraded.refresh_from_db()
    first.refresh_from_db()
    assert regraded.lab_version.number == 2 and regraded.passed is False
    assert first.lab_version.number == 1 and first.passed is True
    failed = [c["name"] for c in regraded.verdict["checks"] if not c["passed"]]
    # the old program differs from the new reference on generated ARP frames too
    assert failed == ["arp-dropped", "generated-traffic"]
    history = student.get(reverse("lab-history", args=[SLUG])).content.decode()
    assert "(version 2)" in history and history.count('data-testid="attempt"') == 1
    # the instructor's self-check runs are not their attempts at the lab
    mine = owner.get(reverse("lab-history", args=[SLUG])).content.decode()
    assert 'data-testid="attempt"' not in mine


def test_it_refuses_to_publish_a_lab_whose_starter_passes(live_stack):
    instructor = make_instructor()
    authored = make_authored_lab(instructor, SLUG)
    files = {**authored.files, "starter.c": authored.files["solution.c"]}
    del files["starter.zh-hans.c"]  # its code must be the starter's
    authoring.save_files(authored, files)
    check = _self_check(_client(instructor))
    assert check.result["solution_passed"] and not check.result["starter_failed"]
    assert not check.ok
    refused = _client(instructor).post(reverse("authoring:publish", args=[SLUG]), follow=True)
    assert "did not pass" in refused.content.decode()
    assert not Lab.objects.get(slug=SLUG).is_active
