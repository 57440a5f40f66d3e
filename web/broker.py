"""The broker's transport: kombu's Redis transport without its acknowledgement emulation.

The run queue is the database (labs/queue.py): a task message only wakes a worker, and the
sweeper sends another for a run left waiting. kombu's ack emulation (an `unacked` hash in
Redis; messages put back when their channel closes, or after a visibility timeout) keeps
nothing the sweeper does not, and it stopped workers when Redis restarted: after the
consumer had torn its broken connection down, putting back the message of a task still
running, or acknowledging it once that task ended, went through the old channel to a
transport whose client was gone. That raised AttributeError, which Celery takes for an
unrecoverable error: the worker exited and no run was taken any more.

Here an acknowledgement stays in the worker's memory, and a channel that closes puts nothing
back: a wake-up it held is sent again by the sweeper (labs/queue.py `redispatch`).

A worker that lost Redis tries to reconnect every RETRY_MAX_S at most, for as long as it
takes, not kombu's 2, 4, 6, ... 30 s: after a long outage it took runs again up to 30 s
after Redis was back, and its sweeper (on the event loop, which does not run meanwhile)
waited as long.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import kombu
from celery.app import amqp
from kombu.transport import redis

TRANSPORT = "web.broker:Transport"
# The longest wait between two tries to reach a broker that is down (kombu's: 30 s).
RETRY_MAX_S = 2


class Channel(redis.Channel):
    ack_emulation = False  # delivered messages are not kept in Redis until acknowledged
    do_restore = False  # nor put back in the queue when their channel closes


class Transport(redis.Transport):
    Channel = Channel


def transport_for(broker_url: str) -> str | None:
    """This transport for a redis:// broker; None (kombu's choice by scheme) for any other."""
    return TRANSPORT if urlsplit(broker_url).scheme == "redis" else None


class Connection(kombu.Connection):
    def _ensure_connection(  # type: ignore[override]
        self,
        errback: Any = None,
        max_retries: int | None = None,
        interval_start: float = 1,
        interval_step: float = 1,
        interval_max: float = RETRY_MAX_S,
        **kwargs: Any,
    ) -> Any:
        """kombu's, with shorter waits between tries when the caller names none (Celery's
        consumer does not)."""
        return super()._ensure_connection(
            errback, max_retries, interval_start, interval_step, interval_max, **kwargs
        )


class AMQP(amqp.AMQP):
    """Celery's broker plumbing, making its connections with `Connection` above."""

    Connection = Connection
    BrokerConnection = Connection
