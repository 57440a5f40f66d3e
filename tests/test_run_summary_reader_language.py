"""A finished run's one-line outcome on the pages that render it on the server (the
playground's panel, an authored lab's self-check) is in the reader's language, not the
language the run was made in."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from labs import authoring
from labs.models import Run
from labs.runner import execute_run
from tests.builders import make_authored_lab, make_instructor
from tests.test_pages_playground import FORM

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
VERDICT = re.compile(r'data-testid="verdict">(.*?)</div>', re.S)


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_it_words_a_chinese_playground_run_in_english(
    learner, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _client(learner, "zh-hans").post("/playground/run/", FORM)
    run = Run.objects.get()
    execute_run(run.pk)
    run.refresh_from_db()
    assert CJK.search(run.verdict["summary"]), "stored in the run's language"

    english = _client(learner, "en").get(f"/playground/runs/{run.token}/").content.decode()
    chinese = _client(learner, "zh-hans").get(f"/playground/runs/{run.token}/").content.decode()

    said = VERDICT.search(english).group(1)
    assert "Loaded and ran on 1 packet: XDP_DROP." in said and not CJK.search(said)
    assert CJK.search(VERDICT.search(chinese).group(1))


def test_it_words_a_chinese_self_check_in_english(django_capture_on_commit_callbacks) -> None:
    instructor = make_instructor()
    authored = make_authored_lab(instructor, "course-drop-all")
    with django_capture_on_commit_callbacks(execute=False):
        version = authoring.start_self_check(authored, instructor, "zh-hans")
    for run in Run.objects.all():
        execute_run(run.pk)
    assert all(CJK.search(r.verdict["summary"]) for r in Run.objects.all())
    page = reverse("authoring:self_check_page", args=[authored.lab.slug, version.pk])

    english = _client(instructor, "en").get(page).content.decode()

    states = re.findall(r"<span data-state>(.*?)</span>", english)
    assert len(states) == 2 and all(s and not CJK.search(s) for s in states), states
    assert any("checks passed" in s for s in states), states
