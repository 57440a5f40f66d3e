"""The Celery app: broker and settings come from Django settings (CELERY_* names)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")

app = Celery("bpflab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="web.ping")
def ping() -> str:
    """Answers a health probe: proves a worker is alive and consuming the queue."""
    return "pong"
