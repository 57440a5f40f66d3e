"""The Celery app: broker and settings come from Django settings (CELERY_* names).

Every worker also runs the run sweeper (labs/queue.py) in a thread of its main process:
no separate scheduler to deploy, and any worker that is up recovers the runs of one that
died. Sweeps are conditional updates, so several workers sweeping together is harmless.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")

log = logging.getLogger(__name__)

app = Celery("bpflab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="web.ping")
def ping() -> str:
    """Answers a health probe: proves a worker is alive and consuming the queue."""
    return "pong"


class RunSweeper(bootsteps.StartStopStep):
    """Sweeps at start (a worker replacing a dead one recovers its runs at once), then
    every RUN_SWEEP_EVERY_S."""

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        from labs.tasks import SLOTS_ENV

        # Before the pool forks: each process learns how many slots its worker has.
        os.environ[SLOTS_ENV] = str(worker.concurrency or 1)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:
        self.thread = threading.Thread(target=self.loop, name="bpflab-sweeper", daemon=True)
        self.thread.start()

    def stop(self, worker: Any) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def loop(self) -> None:
        from django.conf import settings
        from django.db import connection

        from labs.queue import sweep

        while not self.stopping.is_set():
            try:
                report = sweep()
                if report.requeued or report.failed or report.woken:
                    log.info("sweep: %s", report)
            except Exception:  # noqa: BLE001 - a sweep that failed is tried again
                log.warning("the run sweep failed", exc_info=True)
            finally:
                connection.close()  # the forked pool processes must not share it
            self.stopping.wait(settings.RUN_SWEEP_EVERY_S)


app.steps["worker"].add(RunSweeper)
