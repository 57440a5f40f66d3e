"""Error pages in the site's own look and language, also under DEBUG (the default of
`make run`); the site has a favicon."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.builders import make_cohort, make_instructor

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_it_shows_its_own_404_page(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/labs/no-such-lab/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "site-header" in html and "This page does not exist" in html
    assert "URLconf" not in html and "Using the URLconf" not in html


def test_it_shows_its_own_404_page_in_chinese(client, settings):
    settings.DEBUG = True
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "页面不存在" in client.get("/nowhere/").content.decode()


def test_it_shows_its_own_403_page(client, learner, settings):
    settings.DEBUG = True
    cohort = make_cohort(make_instructor())
    client.force_login(learner)
    response = client.get(f"/classroom/cohorts/{cohort.pk}/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "site-header" in html and "You may not open this page" in html


def test_it_explains_an_expired_form(learner):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403 and "This form has expired" in response.content.decode()


def test_it_has_a_favicon(client):
    assert 'rel="icon"' in client.get("/").content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
