"""History: a learner's attempts at a lab with verdicts, and each attempt diffed with the one
before it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from labs.models import Submission
from tests.builders import make_finished_run, make_lab

pytestmark = pytest.mark.django_db


def attempt(user, lab, source: str, passed: bool, minutes_ago: int):
    run = make_finished_run(user, lab, passed=passed, source=source)
    when = timezone.now() - timedelta(minutes=minutes_ago)
    Submission.objects.filter(pk=run.submission_id).update(created_at=when)
    return run


def test_it_lists_attempts_newest_first_with_verdicts(client, learner, outsider):
    lab = make_lab()
    attempt(learner, lab, "int one;", passed=False, minutes_ago=5)
    second = attempt(learner, lab, "int two;", passed=True, minutes_ago=1)
    attempt(outsider, lab, "int not_mine;", passed=True, minutes_ago=3)
    client.force_login(learner)
    html = client.get("/labs/hello-printk/history/").content.decode()
    rows = re.findall(r'<tr data-testid="attempt">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    assert "badge-passed" in rows[0] and f"/runs/{second.token}/" in rows[0]
    assert "badge-failed" in rows[1]


def test_it_diffs_an_attempt_against_the_previous_one(client, learner):
    lab = make_lab()
    attempt(learner, lab, "int a;\nint old_line;\nint c;\n", passed=False, minutes_ago=5)
    second = attempt(learner, lab, "int a;\nint new_line;\nint c;\n", passed=True, minutes_ago=1)
    client.force_login(learner)
    html = client.get(f"/runs/{second.token}/diff/").content.decode()
    assert '<span class="diff-removed">-int old_line;</span>' in html
    assert '<span class="diff-added">+int new_line;</span>' in html
    assert '<span class="diff-same"> int a;</span>' in html


def test_it_shows_the_first_attempt_as_all_new(client, learner):
    first = attempt(learner, make_lab(), "int only;\n", passed=False, minutes_ago=1)
    client.force_login(learner)
    html = client.get(f"/runs/{first.token}/diff/").content.decode()
    assert "first attempt" in html and '<span class="diff-added">+int only;</span>' in html


def test_it_says_each_verdict_in_the_readers_language(client, learner):
    checks = [{"name": "a", "passed": True}, {"name": "b", "passed": False}]
    make_finished_run(learner, make_lab(), passed=False, checks=checks, source="int x;")
    client.force_login(learner)
    assert "1 of 2 checks passed." in client.get("/labs/hello-printk/history/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/labs/hello-printk/history/").content.decode()
    assert "2 项检查中通过了 1 项。" in html
