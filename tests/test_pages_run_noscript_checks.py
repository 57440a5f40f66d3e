"""A finished run's page without JavaScript lists its checks by what they send, in the
reader's language (as the live panel does), not by their slugs."""

from __future__ import annotations

import pytest

from tests.builders import client_for, make_finished_run, make_lab

pytestmark = pytest.mark.django_db

CHECK = {
    "name": "udp-passed",
    "passed": False,
    "status": "failed",
    "expected": {"say": "all", "items": ["XDP_PASS"]},
    "actual": {"say": "all", "items": ["XDP_DROP"]},
    "describe": {"en": "A UDP packet is let through", "zh-hans": "放行一个 UDP 包"},
}


def static_checks(learner, language: str) -> str:  # type: ignore[no-untyped-def]
    run = make_finished_run(learner, make_lab("xdp-drop-all"), passed=False, checks=[CHECK])
    client = client_for(learner)
    client.cookies["django_language"] = language
    page = client.get(f"/runs/{run.token}/").content.decode()
    return page.partition('class="checks-static"')[2].partition("</ul>")[0]


def test_it_lists_the_checks_by_description_in_english(learner) -> None:
    static = static_checks(learner, "en")

    assert "A UDP packet is let through" in static and "udp-passed" not in static


def test_it_lists_the_checks_by_description_in_chinese(learner) -> None:
    assert "放行一个 UDP 包" in static_checks(learner, "zh-hans")
