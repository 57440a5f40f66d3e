"""The dashboard's time to pass, in the reader's language: a lab passed within a minute of
the first attempt says so rather than "0 min"; longer times keep their minutes and hours."""

from __future__ import annotations

from datetime import timedelta

from django.utils import translation

from web.classroom.labels import duration


def test_it_says_under_a_minute_for_a_quick_pass() -> None:
    with translation.override("en"):
        assert duration(timedelta(seconds=8)) == "under a minute"
    with translation.override("zh-hans"):
        assert duration(timedelta(seconds=59)) == "不到 1 分钟"


def test_it_keeps_minutes_and_hours_for_longer_passes() -> None:
    with translation.override("en"):
        assert duration(timedelta(seconds=60)) == "1 min"
        assert duration(timedelta(minutes=185)) == "3 h 05 min"
        assert duration(None) == ""
