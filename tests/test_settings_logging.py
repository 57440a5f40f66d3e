"""Each log record is written once (Django's default "django" handler used to double it)."""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_it_writes_a_django_log_line_once_with_its_time():
    code = (
        "import django, logging, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'web.settings';"
        "django.setup(); logging.getLogger('django.request').warning('Not Found: /nowhere')"
    )
    env = {**os.environ, "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    lines = [line for line in result.stderr.splitlines() if "Not Found: /nowhere" in line]
    assert len(lines) == 1 and "WARNING django.request" in lines[0]
