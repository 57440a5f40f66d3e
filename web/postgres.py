"""A PostgreSQL 15 server from Debian's packages for development and the test suite.

`manage.py services up` calls `ensure_server()` when DATABASE_URL names a PostgreSQL on this
machine that does not answer: it makes a cluster of its own (never Debian's `15/main`, never
anything under /etc), owned by the `postgres` system user, whose superuser is the URL's user
and password, and starts it on the URL's port. Like Redis it keeps running afterwards, and
every worktree and test run on the machine shares it; each test process makes a database of
its own (`test_<name>_<pid>`, see web/settings.py), and `drop_stale_test_databases()` removes
those whose process is gone.

This server is tuned for tests (fsync off): a site runs its own PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

from web import services

POSTGRES_BIN = Path(os.getenv("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
# Outside the repository: the server runs as the `postgres` user, who may not be able to
# reach a checkout under /root; and one server per port serves every checkout.
DATA_ROOT = Path(os.getenv("BPFLAB_POSTGRES_DIR", "/var/lib/bpflab/postgres"))
SYSTEM_USER = "postgres"  # made by Debian's postgresql-common
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


class PostgresError(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlparse(url)
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/") or "postgres",
        )

    @property
    def data_dir(self) -> Path:
        return DATA_ROOT / str(self.port)

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database,
            connect_timeout=3,
            autocommit=True,
        )


def is_postgres_url(url: str) -> bool:
    return urlparse(url).scheme in ("postgres", "postgresql", "pgsql")


def ensure_server(url: str, log_path: Path) -> str:
    """Makes the URL's server answer and its database exist; says what it did."""
    server = Server.from_url(url)
    said = f"PostgreSQL answers on {server.host}:{server.port}"
    if not services.is_listening(server.host, server.port):
        start(server, log_path)
        said = f"started PostgreSQL 15 on {server.host}:{server.port} ({server.data_dir})"
    if create_database(server):
        said += f"; created database {server.database}"
    return said


def start(server: Server, log_path: Path) -> None:
    if server.host not in LOCAL_HOSTS:
        raise PostgresError(f"PostgreSQL at {server.host}:{server.port} does not answer")
    if os.geteuid() != 0:
        raise PostgresError("starting PostgreSQL needs root (it runs as the postgres user)")
    if not (POSTGRES_BIN / "postgres").exists():
        raise PostgresError(f"{POSTGRES_BIN}/postgres is missing: apt-get install postgresql-15")
    if not (server.data_dir / "PG_VERSION").exists():
        init_cluster(server)
    services.start_process(as_system_user(server_command(server)), log_path)
    if not services.wait_until(lambda: answers(server), timeout=30, interval=0.2):
        raise PostgresError(f"PostgreSQL did not start; see {log_path}")


def as_system_user(argv: list[str]) -> list[str]:
    """setpriv execs the command itself (runuser would stay as its parent)."""
    setpriv = shutil.which("setpriv") or "setpriv"
    return [setpriv, f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", *argv]


def init_cluster(server: Server) -> None:
    data_dir = server.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(data_dir, SYSTEM_USER, SYSTEM_USER)
    data_dir.chmod(0o700)
    # initdb reads the superuser's password from a file the postgres user can open.
    password_file = data_dir.parent / f".password-{server.port}"
    password_file.write_text(server.password + "\n")
    password_file.chmod(0o600)
    shutil.chown(password_file, SYSTEM_USER, SYSTEM_USER)
    argv = [
        str(POSTGRES_BIN / "initdb"),
        f"--pgdata={data_dir}",
        f"--username={server.user}",
        f"--pwfile={password_file}",
        "--auth-host=scram-sha-256",
        "--auth-local=peer",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
    ]
    try:
        proc = subprocess.run(
            as_system_user(argv), capture_output=True, text=True, cwd="/", check=False
        )
    finally:
        password_file.unlink()
    if proc.returncode != 0:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise PostgresError(f"initdb failed: {proc.stderr.strip() or proc.stdout.strip()}")


def server_command(server: Server) -> list[str]:
    return [
        str(POSTGRES_BIN / "postgres"),
        "-D",
        str(server.data_dir),
        "-p",
        str(server.port),
        "-c",
        f"listen_addresses={server.host}",
        "-c",
        "unix_socket_directories=",
        # Every engineer's test run, live stack and worker connects at once.
        "-c",
        "max_connections=400",
        # Tests make and drop a database per process: losing the last commits on a crash is
        # fine here, waiting for the disk on each is not.
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
    ]


def answers(server: Server) -> bool:
    try:
        with server.connect():
            return True
    except psycopg.OperationalError:
        return False


def create_database(server: Server) -> bool:
    """Creates the URL's database unless it exists; True when it made it."""
    with server.connect() as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (server.database,)
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(server.database)))
        return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_test_databases(server: Server) -> list[str]:
    """Drops the test databases of test processes that died before dropping their own."""
    pattern = re.compile(rf"^test_{re.escape(server.database)}_(\d+)$")
    dropped = []
    with server.connect() as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
        for name in names:
            match = pattern.match(name)
            if match is None or pid_alive(int(match.group(1))):
                continue
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            dropped.append(name)
    return dropped
