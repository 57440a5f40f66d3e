"""EMAIL_URL -> Django's email settings; development prints mail when none is set."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from web.env import email_settings

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_it_reads_an_smtp_url_with_starttls():
    config = email_settings("smtp://me%40example.org:s%3Acret@mail.example.org:2525?tls=true")
    assert config["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.org", 2525)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == (
        "me@example.org",
        "s:cret",
    )
    assert config["EMAIL_USE_TLS"] and not config["EMAIL_USE_SSL"]


def test_it_reads_smtps_console_and_file_urls():
    assert email_settings("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert email_settings("smtps://mail.example.org")["EMAIL_USE_SSL"]
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert email_settings("file:///tmp/mail")["EMAIL_FILE_PATH"] == "/tmp/mail"


def test_it_refuses_an_unknown_scheme():
    with pytest.raises(ImproperlyConfigured):
        email_settings("carrier-pigeon://coop")


def settings_in(env: dict[str, str]) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='web.settings'; django.setup();"
        "from django.conf import settings as s; print(s.MAIL_CONFIGURED, s.EMAIL_BACKEND)"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, cwd=REPO, capture_output=True, text=True
    )
    return result.stdout.strip()


def test_it_prints_mail_in_development_and_admits_none_in_production():
    assert settings_in({"DEBUG": "true"}) == "True django.core.mail.backends.console.EmailBackend"
    assert settings_in({"DEBUG": "false", "SECRET_KEY": "x" * 50}).startswith("False")
