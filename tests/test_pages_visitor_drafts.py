"""A visitor's edits survive "Log in to run": the draft goes with them through log in and
sign up, and becomes the account's."""

from __future__ import annotations

import pytest

from labs.models import Draft
from tests.builders import make_lab

pytestmark = pytest.mark.django_db

TYPED = "int typed_before_logging_in;\n"
PASSWORD = "a long pass phrase 9"


def test_it_saves_the_draft_and_sends_a_visitor_to_log_in(client):
    make_lab(starter="int starter;\n")
    page = client.get("/labs/hello-printk/").content.decode()
    assert 'data-testid="login-to-run"' in page and 'value="login"' in page
    response = client.post("/labs/hello-printk/draft/", {"source": TYPED, "then": "login"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Flabs%2Fhello-printk%2F"


def test_it_keeps_the_draft_through_logging_in(client, learner):
    lab = make_lab(starter="int starter;\n")
    client.post("/labs/hello-printk/draft/", {"source": TYPED, "then": "login"})
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct horse 1", "next": "/labs/hello-printk/"},
    )
    assert response["Location"] == "/labs/hello-printk/"
    assert Draft.objects.get(user=learner, lab=lab).source == TYPED
    assert "typed_before_logging_in" in client.get("/labs/hello-printk/").content.decode()


def test_it_keeps_the_draft_through_signing_up(client, django_user_model):
    lab = make_lab(starter="int starter;\n")
    client.post("/labs/hello-printk/draft/", {"source": TYPED})
    client.post(
        "/accounts/signup/",
        {"username": "newcomer", "password1": PASSWORD, "password2": PASSWORD},
    )
    user = django_user_model.objects.get(username="newcomer")
    assert Draft.objects.get(user=user, lab=lab).source == TYPED


def test_it_does_not_store_an_untouched_starter_as_a_draft(client, learner):
    make_lab(starter="int starter;\n")
    client.post("/labs/hello-printk/draft/", {"source": "int starter;\n"})
    client.post("/accounts/login/", {"username": "alice", "password": "correct horse 1"})
    assert not Draft.objects.exists()
