"""A worker's live copies while Redis is down: the first failure is logged with its
traceback, the ones after it on one line each, until a send goes through again (a Redis
outage during a run must not bury the rest of the worker's log)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from channels.layers import channel_layers
from django.conf import settings

from labs.events import _Sender
from web import services


@contextlib.contextmanager
def _layer_on(redis_url: str) -> Iterator[None]:
    saved = settings.CHANNEL_LAYERS
    config = {**saved["default"]["CONFIG"], "hosts": [{"address": redis_url}]}
    settings.CHANNEL_LAYERS = {"default": {**saved["default"], "CONFIG": config}}
    channel_layers.backends.clear()
    try:
        yield
    finally:
        settings.CHANNEL_LAYERS = saved
        channel_layers.backends.clear()


def _send(sender: _Sender, count: int) -> None:
    for i in range(count):
        sender.send("run.logged-once", {"type": "run.event", "seq": i})
    assert sender.wait_idle(20)


def _failures(caplog) -> list[bool]:  # type: ignore[no-untyped-def]
    """For each failure logged: whether it carries a traceback."""
    return [
        bool(record.exc_info)
        for record in caplog.records
        if record.getMessage().startswith("could not publish to run.logged-once")
    ]


def test_it_logs_the_first_failure_of_an_outage_with_its_traceback_and_the_rest_briefly(caplog):
    sender = _Sender()
    nobody = f"redis://127.0.0.1:{services.free_port()}/0"
    caplog.set_level(logging.WARNING, logger="labs.events")

    with _layer_on(nobody):
        _send(sender, 3)
    assert _failures(caplog) == [True, False, False]

    with _layer_on(settings.REDIS_URL):
        _send(sender, 1)  # Redis is back: the next outage is told in full again
    with _layer_on(nobody):
        _send(sender, 2)
    assert _failures(caplog) == [True, False, False, True, False]
