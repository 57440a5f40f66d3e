"""Runs of one lab finishing at the same time each count as an attempt (the count is
added in the database, not read, changed and written back)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from labs.models import Progress
from labs.runner import record_progress
from tests.builders import make_lab, make_run

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_counts_every_attempt_of_runs_finishing_together(learner):
    lab = make_lab()
    runs = [make_run(learner, lab) for _ in range(6)]
    record_progress(runs[0], passed=False)  # the row exists, as after a first run
    start = threading.Barrier(5)

    def finish(run) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            record_progress(run, passed=run is runs[3])
        finally:
            connection.close()

    threads = [threading.Thread(target=finish, args=(run,)) for run in runs[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    progress = Progress.objects.get(user=learner, lab=lab)
    assert progress.attempts == 6 and progress.status == Progress.PASSED
