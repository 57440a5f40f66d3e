"""A lab page lists, before any run, every check a run will get: a lab compared with its
reference on generated frames shows that check too (the run's "0 of 5 checks" followed a
list of four), in the reader's language; a lab without generated traffic does not."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PENDING = re.compile(
    r'<li class="check pending" data-check="([^"]+)">.*?class="check-text">(.*?)</span>'
)


def pending_checks(path: str, language: str = "en") -> dict[str, str]:
    client = Client()
    client.cookies["django_language"] = language
    return dict(PENDING.findall(client.get(path).content.decode()))


def test_it_lists_the_generated_frames_check_before_a_run(content) -> None:
    from labs.models import Lab

    checks = pending_checks("/labs/hello-printk/")

    lab = Lab.objects.get(slug="hello-printk")
    assert len(checks) == len(lab.checks) + 1
    assert checks["generated-traffic"] == (
        "200 generated frames: the same results as the reference solution"
    )


def test_it_lists_it_in_chinese(content) -> None:
    checks = pending_checks("/labs/hello-printk/", "zh-hans")

    assert "200" in checks["generated-traffic"] and "参考答案" in checks["generated-traffic"]


def test_it_lists_no_such_check_for_a_lab_without_generated_traffic(content) -> None:
    assert "generated-traffic" not in pending_checks("/labs/tp-execve/")
