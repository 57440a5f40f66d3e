"""`make run` (manage.py runstack) beside another site: `PORT` picks where it serves, and a
port something already listens on is refused with a sentence naming `PORT`, instead of
taking the other server's answer for its own and printing a URL that is not this site."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
import uuid

import pytest

from web import services

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def runstack(port: int) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "PORT": str(port),
        "DATABASE_URL": services.database_url(),  # the test database
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": f"bpflab-test-runstack-{uuid.uuid4().hex[:8]}",
        "WEB_CONCURRENCY": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "runstack"],
        cwd=services.REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def test_it_refuses_a_port_something_listens_on() -> None:
    with socket.socket() as other_site:
        other_site.bind(("127.0.0.1", 0))
        other_site.listen()
        port = other_site.getsockname()[1]
        proc = runstack(port)
        try:
            output, _ = proc.communicate(timeout=60)
        finally:  # a runstack that took the port for its own would serve on, orphaned
            services.stop_process(proc)

    assert proc.returncode != 0
    assert f"something already listens on 127.0.0.1:{port}" in output
    assert f"PORT={port + 1} make run" in output


def test_it_serves_on_the_port_PORT_names() -> None:
    port = services.free_port()
    proc = runstack(port)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"bpflab is running at http://127.0.0.1:{port}/" in first, first
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
            assert answer.status == 200 and "bpflab" in answer.read().decode()
    finally:
        services.stop_process(proc)
