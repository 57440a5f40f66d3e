"""Shared fixtures: personas, builders with defaults, and the live stack (a real Celery worker
and a real ASGI server, as separate processes, on the real Redis)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@dataclass
class LiveStack:
    http_url: str
    ws_url: str
    worker_name: str
    log_dir: Path


@pytest.fixture(scope="session")
def live_stack(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    from django.conf import settings

    from web import services
    from web.celery import app

    log_dir = tmp_path_factory.mktemp("live-stack-logs")
    env = {
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "DATABASE_URL": services.database_url(),  # the test database, not the configured one
        "REDIS_URL": settings.REDIS_URL,
        "SANDBOX_BACKEND": settings.SANDBOX_BACKEND,
        "DEBUG": "true",
    }
    worker_name = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    port = services.free_port()
    worker = services.start_process(
        services.celery_command(concurrency=1, hostname=worker_name),
        log_dir / "celery.log",
        {**env, "PGAPPNAME": "live stack worker"},
    )
    web = services.start_process(
        services.web_command(port=port), log_dir / "web.log", {**env, "PGAPPNAME": "live stack web"}
    )
    try:

        def worker_answers() -> bool:
            return bool(app.control.ping(destination=[worker_name], timeout=0.5))

        assert services.wait_until(worker_answers, 60), (log_dir / "celery.log").read_text()
        assert services.wait_until(lambda: services.is_listening("127.0.0.1", port), 30), (
            log_dir / "web.log"
        ).read_text()
        yield LiveStack(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", worker_name, log_dir)
    finally:
        services.stop_process(web)
        services.stop_process(worker)


@pytest.fixture(autouse=True)
def _close_connections_of_async_code():  # type: ignore[no-untyped-def]
    """Async code (the websocket consumers under WebsocketCommunicator) reaches the database
    from asgiref's one sync thread, whose connection outlives the test (DB_CONN_MAX_AGE).
    Closed after each test in that same thread: left open, PostgreSQL refuses to drop the
    test database at the end ("being accessed by other users")."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture
def learner(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("alice", "alice@example.org", "correct horse 1")


@pytest.fixture
def outsider(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        "charlie", "charlie@example.org", "correct horse 3"
    )


@pytest.fixture
def content(db):  # type: ignore[no-untyped-def]
    """The real curriculum loaded into the test database."""
    from django.core.management import call_command

    call_command("load_content", verbosity=0)


@pytest.fixture
def output_dir(request) -> Path:  # type: ignore[no-untyped-def]
    """test-results/<test name>/, emptied: where a browser test leaves its screenshots."""
    folder = REPO / "test-results" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def pytest_sessionstart(session):  # type: ignore[no-untyped-def]
    """Drops the PostgreSQL test databases of earlier test processes killed before their own
    teardown (each process makes its own, so they would pile up on a shared server)."""
    from django.conf import settings
    from django.db.backends.signals import connection_created

    from web import postgres, services

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        postgres.drop_stale_test_databases(postgres.Server.from_url(services.database_url()))
        connection_created.connect(_name_the_session)


# --- every connection to the test database is closed before it is dropped ---------------

_running_test = ["(no test)"]


def pytest_runtest_setup(item):  # type: ignore[no-untyped-def]
    _running_test[0] = item.nodeid


def _name_the_session(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    """Names each PostgreSQL session after the thread and the test that opened it: a session
    left open at the end is then reported with its culprit (pg_stat_activity)."""
    name = f"pytest {threading.current_thread().name} {_running_test[0].rsplit('/', 1)[-1]}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('application_name', %s, false)", [name[:63]])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """pytest-django's, and before it drops the test database: no session but this thread's
    may be left on it (PostgreSQL would refuse to drop it, "being accessed by other users",
    and it would stay behind on the shared server). Names any left after the 5 s PostgreSQL
    itself waits for sessions that are closing (with the thread and test that opened them)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        deadline = time.monotonic() + 5
        while (others := _other_sessions(connection)) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert not others, f"sessions left open on the test database: {others}"


def _other_sessions(connection) -> list[tuple]:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 120) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    return f"bpflab tests, uid={os.geteuid()}"


@pytest.fixture(autouse=True)
def _english_after_each_test():  # type: ignore[no-untyped-def]
    """A test client request leaves its page's language active in the thread (the locale
    middleware activates it and nothing resets it); the next test would grade in Chinese."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """A chaos scenario that failed carries its workers' and its Redis's logs in its report."""
    outcome = yield
    report = outcome.get_result()
    site = getattr(item, "funcargs", {}).get("chaos")
    if site is None or not report.failed or call.when == "teardown":
        return
    for name, text in site.logs():
        report.sections.append((f"chaos log {name}", text))


@pytest.fixture
def chaos(transactional_db, tmp_path):  # type: ignore[no-untyped-def]
    """A Redis of the test's own, workers on it to kill, this process pointed at it."""
    from tests.chaos import chaos_site

    with chaos_site(tmp_path) as site:
        yield site
