"""The Celery app: broker and settings come from Django settings (CELERY_* names).

Every worker also runs the run sweeper (labs/queue.py) on its timer, in its main process:
no separate scheduler to deploy, and any worker that is up recovers the runs of one that
died. Sweeps are conditional updates, so several workers sweeping together is harmless.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")

log = logging.getLogger(__name__)

app = Celery("bpflab", amqp="web.broker:AMQP")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="web.ping")
def ping() -> str:
    """Answers a health probe: proves a worker is alive and consuming the queue."""
    return "pong"


class RunSweeper(bootsteps.StartStopStep):
    """Sweeps soon after start (a worker replacing a dead one recovers its runs at once),
    then every RUN_SWEEP_EVERY_S. On the worker's own timer, which the prefork pool runs in
    its event loop: no thread of ours is running when the pool forks a process."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        from labs.tasks import SLOTS_ENV

        # Before the pool forks: each process learns how many slots its worker has.
        os.environ[SLOTS_ENV] = str(worker.concurrency or 1)
        self.entries: list[Any] = []

    def start(self, worker: Any) -> None:
        from django.conf import settings

        self.entries = [
            worker.timer.call_after(0.5, sweep_runs),
            worker.timer.call_repeatedly(settings.RUN_SWEEP_EVERY_S, sweep_runs),
        ]

    def stop(self, worker: Any) -> None:
        for entry in self.entries:
            entry.cancel()


def sweep_runs() -> None:
    from django.db import connection

    from labs.queue import sweep

    try:
        report = sweep()
        if report.requeued or report.failed or report.woken:
            log.info("sweep: %s", report)
    except Exception:  # noqa: BLE001 - a sweep that failed is tried again
        log.warning("the run sweep failed", exc_info=True)
    finally:
        connection.close()  # a pool process forked later must not inherit it


app.steps["worker"].add(RunSweeper)
