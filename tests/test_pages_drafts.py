"""Draft autosave: the editor posts the source as the learner types; any browser then sees it."""

from __future__ import annotations

import pytest
from django.test import Client

from labs.models import Draft
from tests.builders import make_lab

pytestmark = pytest.mark.django_db


def test_it_saves_a_draft_another_browser_then_loads(client, learner):
    lab = make_lab(starter="int starter;\n")
    client.force_login(learner)
    response = client.post("/labs/hello-printk/draft/", {"source": "int typed_so_far;\n"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Draft.objects.get(user=learner, lab=lab).source == "int typed_so_far;\n"
    other_browser = Client()
    other_browser.force_login(learner)
    assert "int typed_so_far;" in other_browser.get("/labs/hello-printk/").content.decode()


def test_it_keeps_one_draft_per_learner_and_lab(client, learner):
    make_lab()
    client.force_login(learner)
    for text in ("one", "two", "three"):
        client.post("/labs/hello-printk/draft/", {"source": text})
    assert list(Draft.objects.filter(user=learner).values_list("source", flat=True)) == ["three"]


def test_it_refuses_an_oversized_draft_with_413(client, learner, settings):
    settings.MAX_SOURCE_BYTES = 100
    make_lab()
    client.force_login(learner)
    response = client.post("/labs/hello-printk/draft/", {"source": "x" * 101})
    assert response.status_code == 413
    assert "101 bytes" in response.json()["error"]
    assert not Draft.objects.exists()


def test_it_resets_to_the_starter(client, learner):
    lab = make_lab(starter="int starter_again;\n")
    Draft.objects.create(user=learner, lab=lab, source="int mine;")
    client.force_login(learner)
    response = client.post("/labs/hello-printk/reset/")
    assert response.status_code == 302
    assert not Draft.objects.filter(user=learner).exists()
    assert "int starter_again;" in client.get("/labs/hello-printk/").content.decode()


def test_it_keeps_a_visitors_draft_in_their_session_only(client):
    make_lab()
    response = client.post("/labs/hello-printk/draft/", {"source": "int x;"})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert not Draft.objects.exists()
    assert "int x;" in client.get("/labs/hello-printk/").content.decode()
    assert "int x;" not in Client().get("/labs/hello-printk/").content.decode()


def test_it_needs_the_csrf_token(learner):
    make_lab()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    assert browser.post("/labs/hello-printk/draft/", {"source": "int x;"}).status_code == 403
