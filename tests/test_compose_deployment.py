"""The multi-service deployment of docker-compose.yml, as an operator runs it: web, two
workers, Redis and PostgreSQL in containers, driven from this host over HTTP and websockets.

Slow (it builds the images): `make compose-test` runs it, with the images `make
compose-images` made from Debian's packages; `make test` skips it. Each run has a compose
project and an image tag of its own (two people may run it on one docker daemon) and
removes all it made, containers, volumes, network and image, even when it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import shlex
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
IMAGE_REPOSITORY = (
    "bpflab-compose-test"  # a run's image is <this>:<suffix>, its project <this>-<suffix>
)

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
    image: str
    env: dict[str, str] = field(repr=False)  # secrets
    files: tuple[Path, ...] = ()  # none: the repository's docker-compose.yml

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.env['BPFLAB_HTTP_PORT']}"

    def command(self, *args: str) -> list[str]:
        files = [arg for path in self.files for arg in ("-f", str(path))]
        return [COMPOSE, "-p", self.project, *files, *args]

    def compose(self, *args: str, timeout: float = 120) -> str:
        proc = subprocess.run(
            self.command(*args),
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


@contextlib.contextmanager
def own_stack(env: dict[str, str], files: tuple[Path, ...] = ()) -> Iterator[Stack]:
    """A compose project and an image tag of this run's own, so that two runs on one docker
    daemon share no container, volume, network or image; all of them removed on the way
    out, whatever happened in between (a teardown that leaves any behind fails)."""
    suffix = secrets.token_hex(6)
    image = f"{IMAGE_REPOSITORY}:{suffix}"
    stack = Stack(
        f"{IMAGE_REPOSITORY}-{suffix}", image, {**os.environ, **env, "BPFLAB_IMAGE": image}, files
    )
    try:
        yield stack
    finally:
        print(logs(stack))
        failures = tear_down(stack)
        left = resources(stack)
        assert not failures and not left, f"{stack.project} left {left}: {failures}"


def logs(stack: Stack) -> str:
    """The services' last lines, for the report of a failed run."""
    command = stack.command("logs", "--no-color", "--tail", "200")
    try:
        proc = subprocess.run(
            command, cwd=REPO, env=stack.env, capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        return "compose logs timed out"
    return proc.stdout[-20000:]


def tear_down(stack: Stack) -> list[str]:
    """Removes the stack's containers, volumes, network and images, the images even if the
    rest failed. Returns what failed."""
    failures = [
        run(stack, stack.command("down", "--volumes", "--remove-orphans", "--timeout", "30"))
    ]
    built = images(stack)  # none if the build failed
    if built:
        # All this run's: labelled with its project, or tagged with its tag.
        failures.append(run(stack, ["docker", "image", "rm", "--force", *built]))
    return [failure for failure in failures if failure]


def run(stack: Stack, command: list[str]) -> str:
    """What went wrong running the command, or nothing."""
    try:
        proc = subprocess.run(
            command, cwd=REPO, env=stack.env, capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        return f"{shlex.join(command)}: timed out"
    return f"{shlex.join(command)}: {proc.stderr.strip()}" if proc.returncode else ""


def resources(stack: Stack) -> list[str]:
    """What of the stack exists on the docker daemon: what compose labelled with the
    project (containers, volumes, networks, the images it built) and the image's tag."""
    label = f"label=com.docker.compose.project={stack.project}"
    found = [f"image {ref}" for ref in images(stack)]
    for kind, listing in (
        ("container", ("ps", "-a")),
        ("volume", ("volume", "ls")),
        ("network", ("network", "ls")),
    ):
        found += [f"{kind} {ref}" for ref in docker(*listing, "-q", "--filter", label)]
    return found


def images(stack: Stack) -> list[str]:
    """The ids of the images compose built for the stack: one a service (web and worker
    build the same Dockerfile, compose labels each with its service, and the tag goes to
    the last one built, the others left untagged)."""
    label = f"label=com.docker.compose.project={stack.project}"
    tagged = docker("image", "ls", "-q", stack.image)
    return sorted(set(tagged + docker("image", "ls", "-q", "--all", "--filter", label)))


def docker(*args: str) -> list[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    port = free_port()
    env = {
        **env_file(os.environ["BPFLAB_COMPOSE_ENV"]),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
        "BPFLAB_HTTP_PORT": str(port),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "WORKER_CONCURRENCY": "1",
    }
    with own_stack(env) as stack:
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


# A project with what the deployment has (two services building one image tag, a named
# volume, a network), up in seconds: built on the deployment's base (compose-images made it,
# no one removes it).
PROBE_COMPOSE = """\
x-probe: &probe
  build: {context: ., args: {BASE: "${BPFLAB_BASE_IMAGE}"}}
  image: ${BPFLAB_IMAGE}
  entrypoint: ["sleep", "600"]
  stop_signal: SIGKILL
  volumes: [data:/data]
services:
  web: *probe
  worker: *probe
volumes:
  data:
"""
PROBE_DOCKERFILE = "ARG BASE\nFROM ${BASE}\nLABEL org.bpflab.compose-test=probe\n"


def test_it_gives_each_run_its_own_names_and_removes_all_it_made_even_on_failure(
    tmp_path: Path,
) -> None:
    (tmp_path / "docker-compose.yml").write_text(PROBE_COMPOSE)
    (tmp_path / "Dockerfile").write_text(PROBE_DOCKERFILE)
    env = env_file(os.environ["BPFLAB_COMPOSE_ENV"])
    files = (tmp_path / "docker-compose.yml",)

    # Both up at once, as two people's runs would be; then a test fails in the middle.
    with (
        pytest.raises(RuntimeError, match="a test failed"),
        own_stack(env, files) as first,
        own_stack(env, files) as second,
    ):
        assert first.project != second.project and first.image != second.image
        for stack in (first, second):
            stack.compose("up", "-d", "--build", timeout=300)
            kinds = sorted({ref.split()[0] for ref in resources(stack)})
            assert kinds == ["container", "image", "network", "volume"], resources(stack)
        raise RuntimeError("a test failed")

    assert resources(first) == resources(second) == []
    assert docker("image", "ls", "-q", env["BPFLAB_BASE_IMAGE"]), "the base was only built on"


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
