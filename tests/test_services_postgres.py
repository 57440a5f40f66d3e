"""`manage.py services up` with a PostgreSQL DATABASE_URL: a cluster of bpflab's own (never
Debian's 15/main), made and started from Debian's postgresql-15 when nothing answers, the
URL's database created; and the test databases of dead test processes dropped."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from web import postgres
from web.services import REPO, free_port, wait_until


@pytest.fixture(scope="module")
def cluster_root() -> Path:
    """A folder the postgres user can reach (a pytest tmp_path under /tmp/pytest-of-root is not)."""
    root = Path(tempfile.mkdtemp(prefix="bpflab-pg-", dir="/var/tmp"))
    root.chmod(0o755)
    yield root  # type: ignore[misc]
    subprocess.run(["rm", "-rf", str(root)], check=False)


@pytest.fixture(scope="module")
def server(cluster_root: Path) -> postgres.Server:  # type: ignore[misc]
    """A server of this module's own, on a free port, its cluster in a folder the postgres
    user can reach; stopped and removed at the end."""
    root = cluster_root
    url = f"postgres://alice:s3cret@127.0.0.1:{free_port()}/lessons"
    env = {**os.environ, "DATABASE_URL": url, "BPFLAB_POSTGRES_DIR": str(root)}
    said = subprocess.run(
        [sys.executable, "manage.py", "services", "up", "--no-docker"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    server = postgres.Server.from_url(url)
    try:
        assert said.returncode == 0, said.stderr
        assert f"started PostgreSQL 15 on 127.0.0.1:{server.port}" in said.stdout
        assert "created database lessons" in said.stdout
        yield server
    finally:
        pid_file = root / str(server.port) / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGINT)  # fast shutdown
            wait_until(lambda: not postgres.pid_alive(pid), timeout=30)


def test_it_starts_a_cluster_of_its_own_with_the_urls_user_and_database(
    server, cluster_root
) -> None:  # type: ignore[no-untyped-def]
    with psycopg.connect(
        host=server.host, port=server.port, user="alice", password="s3cret", dbname="lessons"
    ) as conn:
        row = conn.execute("SELECT current_user, current_database(), version()").fetchone()

    assert row[:2] == ("alice", "lessons") and row[2].startswith("PostgreSQL 15")
    data_dir = cluster_root / str(server.port)
    assert (data_dir / "postmaster.pid").exists()
    assert data_dir.stat().st_uid == pwd.getpwnam("postgres").pw_uid, "not run as postgres"


def test_it_refuses_a_wrong_password(server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=server.host, port=server.port, user="alice", password="guess", dbname="lessons"
        )


def test_it_leaves_a_server_that_answers_alone(server) -> None:  # type: ignore[no-untyped-def]
    said = postgres.ensure_server(
        f"postgres://alice:s3cret@127.0.0.1:{server.port}/lessons", Path("/dev/null")
    )

    assert said == f"PostgreSQL answers on 127.0.0.1:{server.port}"


def test_it_drops_the_test_databases_of_dead_processes_only(server) -> None:  # type: ignore[no-untyped-def]
    gone = subprocess.Popen(["true"])  # a pid that has exited
    gone.wait()
    names = {
        "mine": f"test_lessons_{os.getpid()}",
        "dead": f"test_lessons_{gone.pid}",
        "other": "test_other_1",
    }
    with server.connect() as conn:
        for name in names.values():
            conn.execute(f'CREATE DATABASE "{name}"')

    dropped = postgres.drop_stale_test_databases(server)

    with server.connect() as conn:
        left = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert dropped == [names["dead"]]
    assert names["mine"] in left and names["other"] in left and names["dead"] not in left
