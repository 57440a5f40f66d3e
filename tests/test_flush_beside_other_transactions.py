"""The flush that ends every transactional test (pytest-django's, `manage.py flush`) succeeds
while other sessions use the same database, as the live stack's worker and sweeper do
(tests/conftest.py). Seen in CI: the worker inserted a run's events, then, committing,
checked their foreign key to the run, while the flush held the run table and waited for the
events table: a deadlock, the flush failed, and the next test met the last one's rows.

The race is made certain here: a transaction holds the table the flush locks last and then
reads the one it locks first, once the flush is waiting for it."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, connections

from web import services
from web.management.commands import flush as flush_command

pytestmark = pytest.mark.django_db(transaction=True)


def flush_as_a_test_ends() -> None:
    """What TransactionTestCase._fixture_teardown runs after each transactional test."""
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


def in_a_thread(target, errors: list[BaseException]) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connection ends with it

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def someone_waits_for(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
            [connection.ops.quote_name(table)],
        )
        return cursor.fetchone()[0] > 0


def test_it_flushes_beside_a_transaction_that_takes_the_tables_in_the_other_order():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one lock for the whole database: no order to get wrong")
    get_user_model().objects.create_user("alice")
    # The order the flush locks them in (a set's: it differs from one process to the next).
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    first, last = (connection.ops.quote_name(name) for name in (tables[0], tables[-1]))
    holds_last, go_on = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def other_transaction() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"SELECT count(*) FROM {last}")
            holds_last.set()
            assert go_on.wait(30)
            cursor.execute(f"SELECT count(*) FROM {first}")
            cursor.execute("COMMIT")

    other = in_a_thread(other_transaction, errors)
    assert holds_last.wait(30)
    flusher = in_a_thread(flush_as_a_test_ends, errors)
    # Django's flush holds `first` by now and waits for `last`; this one never waits.
    services.wait_until(lambda: someone_waits_for(tables[-1]), timeout=2)
    go_on.set()
    other.join(90)
    flusher.join(90)

    assert [f"{exc!r}, from {exc.__cause__!r}" for exc in errors] == []
    assert not get_user_model().objects.exists()


def test_it_gives_up_naming_the_session_that_keeps_a_table(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's flush only")
    monkeypatch.setattr(flush_command, "LOCK_WAIT_S", 0.5)
    holding, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def idle_in_transaction() -> None:
        with connections["default"].cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM auth_user")
            holding.set()
            assert done.wait(30)
            cursor.execute("ROLLBACK")

    holder = in_a_thread(idle_in_transaction, errors)
    try:
        assert holding.wait(30)
        with pytest.raises(CommandError, match="idle in transaction.*FROM auth_user"):
            flush_as_a_test_ends()
    finally:
        done.set()
        holder.join(30)
    assert errors == []
