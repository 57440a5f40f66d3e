"""Sign up (email optional), log in, log out."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "a long pass phrase 9"


def test_it_signs_up_without_an_email_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "dora", "password1": PASSWORD, "password2": PASSWORD, "next": "/labs/x/"},
    )
    assert response.status_code == 302 and response["Location"] == "/labs/x/"
    user = User.objects.get(username="dora")
    assert user.email == ""
    assert int(client.session["_auth_user_id"]) == user.pk


def test_it_keeps_an_optional_email(client):
    client.post(
        "/accounts/signup/",
        {
            "username": "erin",
            "email": "erin@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.get(username="erin").email == "erin@example.org"


def test_it_refuses_mismatched_passwords_and_an_off_site_next(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "fay", "password1": PASSWORD, "password2": "other 1234567"},
    )
    assert response.status_code == 200 and not User.objects.filter(username="fay").exists()
    response = client.post(
        "/accounts/signup/",
        {
            "username": "gus",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_it_logs_in_and_out(client, learner):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and 'name="password"' in page.content.decode()
    response = client.post("/accounts/login/", {"username": "alice", "password": "correct horse 1"})
    assert response.status_code == 302
    assert "alice" in client.get("/").content.decode()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_says_when_the_password_is_wrong(client, learner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
