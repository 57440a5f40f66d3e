"""`manage.py flush` that cannot deadlock with the other users of a PostgreSQL database.

Django's flush is one TRUNCATE of every table. It takes the tables' exclusive locks one
after another, waiting for each: holding the first ones while it waits for a later one, it
deadlocks with any transaction that holds the later table and then needs an earlier one (a
worker that inserts a run's events, then checks their foreign key to the run as it commits).
The test suite flushes after every transactional test while the live stack's worker and
sweeper use the same database (tests/conftest.py); a deadlock there failed the flush, and
the next test met the last one's rows.

Here the flush first takes every table's lock at once or none (LOCK TABLE ... NOWAIT), and
tries again after a short pause while another transaction holds one. It never waits while
holding a lock, so it is never part of a deadlock; the TRUNCATE that follows in the same
transaction finds its locks already held. Other databases flush as Django does.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import OperationalError, connections, transaction

# How long a flush keeps trying to lock every table before it gives up, naming who holds them.
LOCK_WAIT_S = 60.0
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock that is held


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(**options)
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        deadline = time.monotonic() + LOCK_WAIT_S
        pause = 0.01
        while True:
            try:
                with transaction.atomic(using=connection.alias):
                    lock_all_or_none(connection, tables)
                    return super().handle(**options)
            except OperationalError as exc:
                if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                    raise
            if time.monotonic() > deadline:
                raise CommandError(
                    f"could not lock the tables to flush in {LOCK_WAIT_S:.0f} s; "
                    f"held by: {lock_holders(connection, tables)}"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


def lock_all_or_none(connection: Any, tables: list[str]) -> None:
    """Every table's ACCESS EXCLUSIVE lock, held to the end of the transaction; or
    OperationalError (lock_not_available) and, with the transaction, none of them."""
    if not tables:
        return
    names = ", ".join(connection.ops.quote_name(table) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE NOWAIT")


def lock_holders(connection: Any, tables: list[str]) -> list[tuple[Any, ...]]:
    """The other sessions holding a lock on one of the tables: pid, application, state, query."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT a.pid, a.application_name, a.state, left(a.query, 200)
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = ANY(%s::regclass[]) AND l.pid <> pg_backend_pid()
            """,
            [[connection.ops.quote_name(table) for table in tables]],
        )
        return cursor.fetchall()
