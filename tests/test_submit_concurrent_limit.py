"""MAX_CONCURRENT_RUNS holds when a learner's posts arrive at the same time: the runs in
progress are counted inside the transaction that makes the run, under a lock."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from labs.models import Run
from labs.submissions import SubmissionRefused, submit
from tests.builders import make_lab

pytestmark = pytest.mark.django_db(transaction=True)


def slow_count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    """A busy database: the runs in progress take a while to count."""
    result = execute(sql, params, many, context)
    if "COUNT(" in sql and "labs_run" in sql:
        time.sleep(0.2)
    return result


def test_it_lets_only_one_of_simultaneous_posts_through(learner, settings, monkeypatch):
    settings.MAX_CONCURRENT_RUNS = 1
    # The runs must stay in progress while the posts are counted: a worker of the test
    # session's live stack, woken by the first run, could grade it to the end before the
    # next post counts (then that post is rightly accepted). Unwoken, a queued run waits
    # for the sweeper (RUN_REDISPATCH_AFTER_S, 3 s), longer than the posts take.
    monkeypatch.setattr("labs.submissions.wake", lambda *args, **kwargs: None)
    lab = make_lab()
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def post() -> None:
        start.wait()
        try:
            with connection.execute_wrapper(slow_count):
                submit(learner, lab, "int x;\n", backend="local")
            outcomes.append("accepted")
        except SubmissionRefused as refusal:
            outcomes.append(str(refusal.status))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["429", "429", "429", "accepted"]
    assert Run.objects.filter(submission__user=learner).count() == 1
