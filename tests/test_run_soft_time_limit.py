"""Celery's soft time limit reaches the task: the run fails with "took longer than ... and
was stopped", not with a sandbox failure that swallowed the signal on the way.

The limit is delivered as a worker process gets it: SIGUSR1, whose handler (billiard's)
raises SoftTimeLimitExceeded wherever the grading is."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from billiard.pool import soft_timeout_sighandler

from labs.models import Lab, Run
from labs.tasks import SOFT_TIME_LIMIT_S, run_submission
from tests.builders import make_run

SPIN = (Path(__file__).parent / "programs" / "spin_bpf_loop.c").read_text()


@pytest.fixture
def soft_limit_in(request):  # type: ignore[no-untyped-def]
    previous = signal.signal(signal.SIGUSR1, soft_timeout_sighandler)
    timer = threading.Timer(request.param, os.kill, (os.getpid(), signal.SIGUSR1))
    timer.start()
    yield
    timer.cancel()
    signal.signal(signal.SIGUSR1, previous)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("soft_limit_in", [1.5], indirect=True)
def test_it_fails_a_run_stopped_by_the_soft_time_limit_with_that_reason(
    content, learner, settings, soft_limit_in
):
    settings.RUN_WALL_S = 4  # the sandbox's own teardown ends sooner after the stop
    run = make_run(learner, Lab.objects.get(slug="hello-printk"), source=SPIN)

    run_submission(run.pk)

    run.refresh_from_db()
    assert run.status == Run.ERROR
    assert run.error_words == f"the run took longer than {SOFT_TIME_LIMIT_S} s and was stopped"
