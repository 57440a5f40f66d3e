"""The interface language is kept on the account (and in a cookie that outlives the browser
session): a new browser gets it at login."""

from __future__ import annotations

import pytest
from django.test import Client

from labs.models import Profile

pytestmark = pytest.mark.django_db

LOGIN = {"username": "alice", "password": "correct horse 1"}


def test_it_saves_the_choice_on_the_account_and_applies_it_at_login(client, learner):
    client.force_login(learner)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.cookies["django_language"]["max-age"] >= 30 * 24 * 3600
    assert Profile.objects.get(user=learner).language == "zh-hans"
    fresh_browser = Client()
    assert "退出登录" not in fresh_browser.get("/").content.decode()
    response = fresh_browser.post("/accounts/login/", LOGIN)
    assert response.cookies["django_language"].value == "zh-hans"
    assert "退出登录" in fresh_browser.get("/").content.decode()


def test_it_keeps_the_language_picked_before_the_first_login(client, learner):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    client.post("/accounts/login/", LOGIN)
    assert Profile.objects.get(user=learner).language == "zh-hans"


def test_it_prefers_the_accounts_language_to_the_browsers_last_one(client, learner):
    Profile.objects.create(user=learner, language="en")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    client.post("/accounts/login/", LOGIN)
    assert "Log out" in client.get("/").content.decode()


def test_it_ignores_an_unknown_language(client, learner):
    client.force_login(learner)
    client.post("/i18n/setlang/", {"language": "tlh", "next": "/"})
    assert not Profile.objects.filter(user=learner).exclude(language="").exists()
