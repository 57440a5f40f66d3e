"""Celery tasks: thin wrappers that take ids and call plain functions.

`run_submission` is a wake-up: the worker process grades the fairest queued run it may take
(labs/queue.py), which is not always the run the message names. Its message is acknowledged
once the task has run and put back if its pool process dies (acks_late,
reject_on_worker_lost in web/settings.py); a run lost anyway (its whole worker died, or
Redis with the message) is found by the sweeper through its lease or its queued time.
"""

from __future__ import annotations

import os

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from labs import runner
from labs.grading import words
from labs.models import Run
from labs.queue import ACTIVE

# A run's own sandbox wall limit is far below these; they only catch a stuck worker.
SOFT_TIME_LIMIT_S = 90
TIME_LIMIT_S = 120
# Set by the worker (web/celery.py) before it forks its processes: how many it has.
SLOTS_ENV = "BPFLAB_WORKER_SLOTS"


def worker_slots() -> int:
    return max(1, int(os.environ.get(SLOTS_ENV, "1")))


def lease_owner(task: Task) -> str:
    return f"{task.request.hostname or runner.default_owner()}/{os.getpid()}"


def held_run(owner: str) -> Run | None:
    """The unfinished run this worker process holds the lease of."""
    return Run.objects.filter(lease_owner=owner, status__in=ACTIVE).first()


class RunTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # type: ignore[override]
        run = held_run(lease_owner(self))
        if run is None:
            return
        runner.fail_run(run, words.crash(words.WORKER_FAILED, exc))


@shared_task(
    bind=True,
    base=RunTask,
    name="labs.run_submission",
    soft_time_limit=SOFT_TIME_LIMIT_S,
    time_limit=TIME_LIMIT_S,
)
def run_submission(self: Task, run_id: int | None = None) -> None:
    owner = lease_owner(self)
    try:
        runner.execute_next(owner, worker_slots())
    except SoftTimeLimitExceeded:
        run = held_run(owner)
        if run is None:
            return
        runner.fail_run(run, words.failure(words.WORKER_TIME_LIMIT, seconds=SOFT_TIME_LIMIT_S))
