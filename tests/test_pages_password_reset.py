"""Password reset by email, in the site's own pages: the login page links to it, the mail
carries a working link, a failed send is said, and a site without mail says so."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new pass phrase 7"


def test_it_links_the_reset_page_from_the_login_page(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in html


def test_it_mails_a_link_that_sets_a_new_password(client, learner, settings):
    settings.MAIL_CONFIGURED = True
    page = client.get("/accounts/password_reset/").content.decode()
    assert "site-header" in page and "Django administration" not in page
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(username="alice").check_password(NEW_PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False


def test_it_writes_the_mail_in_the_readers_language(client, learner, settings):
    settings.MAIL_CONFIGURED = True
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert "密码" in mail.outbox[0].subject and "链接" in mail.outbox[0].body


def test_it_says_so_when_the_mail_cannot_be_sent(client, learner, settings):
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 200
    assert "could not be sent" in response.content.decode()


def test_it_says_so_when_no_mail_is_configured(client, learner, settings):
    settings.MAIL_CONFIGURED = False
    page = client.get("/accounts/password_reset/").content.decode()
    assert 'data-testid="no-mail"' in page and 'name="email"' not in page
    response = client.post("/accounts/password_reset/", {"email": "alice@example.org"})
    assert response.status_code == 200 and mail.outbox == []


def test_it_tells_a_developer_where_the_printed_mail_is(client, learner, settings):
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = client.get("/accounts/password_reset/done/").content.decode()
    assert 'data-testid="mail-printed"' in page and "web.log" in page


def test_it_changes_a_password_in_the_sites_own_pages(client, learner):
    client.force_login(learner)
    page = client.get("/accounts/password_change/").content.decode()
    assert "site-header" in page and "Django administration" not in page
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct horse 1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Your new password is set." in response.content.decode()
    assert User.objects.get(username="alice").check_password(NEW_PASSWORD)
