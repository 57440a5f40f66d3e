"""The bpflab Django project: settings, urls, ASGI routing, the Celery app."""

from __future__ import annotations

from web.celery import app as celery_app

__all__ = ["celery_app"]
