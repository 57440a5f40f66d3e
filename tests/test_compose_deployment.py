"""The multi-service deployment of docker-compose.yml, as an operator runs it: web, two
workers, Redis and PostgreSQL in containers, driven from this host over HTTP and websockets.

Slow (it builds the images): `make compose-test` runs it, with the images `make
compose-images` made from Debian's packages; `make test` skips it.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
import websockets

from web.services import free_port

REPO = Path(__file__).resolve().parent.parent
COMPOSE = os.environ.get("BPFLAB_COMPOSE", "")
LAB = "hello-printk"
BUILD_TIMEOUT_S = 1200
UP_TIMEOUT_S = 1200

pytestmark = [
    pytest.mark.skipif(
        not COMPOSE, reason="the compose deployment is tested by `make compose-test`"
    ),
    # The first build installs Debian packages and builds the VM image: the fixture's time counts.
    pytest.mark.timeout(BUILD_TIMEOUT_S + UP_TIMEOUT_S + 600),
]


@dataclass
class Stack:
    project: str
    http_url: str
    env: dict[str, str] = field(repr=False)  # secrets

    def compose(self, *args: str, timeout: float = 120) -> str:
        proc = subprocess.run(
            [COMPOSE, "-p", self.project, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert proc.returncode == 0, f"compose {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc.stdout

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).split()

    def sql(self, query: str) -> str:
        return self.compose(
            "exec", "-T", "postgres", "psql", "-U", "bpflab", "-d", "bpflab", "-At", "-c", query
        ).strip()


def env_file(path: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in Path(path).read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    port = free_port()
    env = {
        **os.environ,
        **env_file(os.environ["BPFLAB_COMPOSE_ENV"]),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "BPFLAB_HTTP_PORT": str(port),
        "BPFLAB_IMAGE": "bpflab-compose-test:latest",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "WORKER_CONCURRENCY": "1",
    }
    stack = Stack(f"bpflab-test-{os.getpid()}", f"http://127.0.0.1:{port}", env)
    try:
        stack.compose("build", timeout=BUILD_TIMEOUT_S)
        stack.compose(
            "up",
            "-d",
            "--scale",
            "worker=2",
            "--wait",
            "--wait-timeout",
            str(UP_TIMEOUT_S),
            timeout=UP_TIMEOUT_S + 60,
        )
        yield stack
    finally:
        logs = subprocess.run(
            [COMPOSE, "-p", stack.project, "logs", "--no-color", "--tail", "200"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(logs.stdout[-20000:])
        stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "30", timeout=300)


class Browser:
    """A learner's browser: cookies, CSRF tokens from the forms, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, form_page: str, fields: dict[str, str]) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
        assert token, "no CSRF token in the form"
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), **fields})
        request = urllib.request.Request(
            self.base + path, data=data.encode(), headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "") or error.read().decode()[:2000]

    def cookie(self, name: str) -> str:
        return next(c.value for c in self.cookies if c.name == name)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def sign_up(stack: Stack, username: str) -> Browser:
    browser = Browser(stack.http_url)
    form = browser.get("/accounts/signup/")
    password = secrets.token_urlsafe(12)
    status, _ = browser.post(
        "/accounts/signup/",
        form,
        {"username": username, "password1": password, "password2": password},
    )
    assert status == 302, f"sign-up refused: {status}"
    return browser


def submit(browser: Browser, source: str) -> str:
    """The run's token, from the redirect to its page."""
    status, location = browser.post(
        f"/labs/{LAB}/run/", browser.get(f"/labs/{LAB}/"), {"source": source}
    )
    assert status == 302 and location.startswith("/runs/"), (status, location)
    return location.strip("/").split("/")[1]


async def follow_run(stack: Stack, browser: Browser, token: str, on_start=None) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every event of the run over the websocket, from the host, until it finishes;
    on_start() is called (in a thread) when a worker has started it (stage compiling)."""
    url = stack.http_url.replace("http", "ws", 1) + f"/ws/runs/{token}/"
    headers = {"Cookie": f"sessionid={browser.cookie('sessionid')}", "Origin": stack.http_url}
    events: list[dict] = []
    async with websockets.connect(url, additional_headers=headers, open_timeout=30) as socket:
        while not events or events[-1].get("event") != "finished":
            events.append(json.loads(await asyncio.wait_for(socket.recv(), timeout=180)))
            if on_start is not None and events[-1].get("stage") == "compiling":
                await asyncio.to_thread(on_start)
    return events


def solution() -> str:
    return (REPO / "content" / "labs" / LAB / "solution.c").read_text()


def test_it_runs_a_learners_lab_through_web_workers_redis_and_postgres(stack: Stack) -> None:
    assert len(stack.containers("worker")) == 2
    browser = sign_up(stack, "compose-learner")

    token = submit(browser, solution())
    events = asyncio.run(follow_run(stack, browser, token))

    checks = [e for e in events if e["event"] == "check"]
    assert events[-1]["event"] == "finished" and events[-1]["passed"] is True, events
    assert checks and all(check["passed"] for check in checks)
    assert any(e["event"] == "trace" and e["message"] == "Hello, eBPF!" for e in events)
    stored = stack.sql(
        "SELECT r.status, r.passed, r.backend, u.username FROM labs_run r"
        " JOIN labs_submission s ON s.id = r.submission_id JOIN auth_user u ON u.id = s.user_id"
        f" WHERE r.token = '{token}'"
    )
    assert stored == "done|t|microvm|compose-learner"
    stored_events = stack.sql(
        "SELECT count(*) FROM labs_runevent e JOIN labs_run r ON r.id = e.run_id"
        f" WHERE r.token = '{token}'"
    )
    assert int(stored_events) == len(events), "every event streamed is stored"


def worker_with_the_run(stack: Stack, since: float) -> str:
    """The worker container that received a run since `since` (its Celery log says so)."""
    for container in stack.containers("worker"):
        logs = subprocess.run(
            ["docker", "logs", "--since", str(int(since)), container],
            capture_output=True,
            text=True,
            check=False,
        )
        if "labs.run_submission" in logs.stdout + logs.stderr:
            return container
    raise AssertionError("no worker logged the run")


def started_at(container: str) -> float:
    """When the container's current process started, in seconds since the epoch."""
    out = subprocess.run(
        ["docker", "inspect", "-f", "{{.State.StartedAt}}", container],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    whole, _, fraction = out.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole).replace(tzinfo=UTC).timestamp() + float(
        f"0.{fraction or 0}"
    )


def finished_at(stack: Stack, token: str) -> float:
    return float(
        stack.sql(f"SELECT extract(epoch FROM finished_at) FROM labs_run WHERE token = '{token}'")
    )


def test_it_delivers_the_verdict_when_the_worker_running_it_restarts(stack: Stack) -> None:
    browser = sign_up(stack, "compose-restart")
    restarted: dict[str, object] = {}

    def restart_its_worker() -> None:
        container = worker_with_the_run(stack, since)
        restarted["container"] = container
        restarted["at"] = time.time()
        subprocess.run(
            ["docker", "restart", "-t", "120", container], check=True, capture_output=True
        )

    # The restart must land while the run is in progress; a run that finished before
    # docker was asked proves nothing, so such an attempt is made again.
    for _attempt in range(3):
        since = time.time() - 1
        token = submit(browser, solution())
        events = asyncio.run(follow_run(stack, browser, token, on_start=restart_its_worker))
        if finished_at(stack, token) > restarted["at"]:  # type: ignore[operator]
            break
    else:
        pytest.fail("every run finished before its worker was asked to restart")

    assert events[-1]["event"] == "finished" and events[-1]["passed"] is True, events
    assert any(e["event"] == "trace" and e["message"] == "Hello, eBPF!" for e in events)
    assert started_at(str(restarted["container"])) > restarted["at"], "the worker did not restart"  # type: ignore[operator]
    assert stack.sql(f"SELECT status, passed FROM labs_run WHERE token = '{token}'") == "done|t"
    # Both workers are up again, and runs go on.
    assert len(stack.containers("worker")) == 2
    token = submit(browser, solution())
    events = asyncio.run(follow_run(stack, browser, token))
    assert events[-1]["passed"] is True, [e for e in events if e["event"] != "trace"]
