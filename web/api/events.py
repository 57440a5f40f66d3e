"""A run's events as server-sent events: GET /api/v1/runs/<token>/events.

The same events as the websocket (labs/consumers.py), in order, each once (by seq), ending
after `finished`. Each
SSE message has `id: <seq>` (a reconnecting EventSource sends Last-Event-ID and gets only
what it missed), `event: <kind>` and the event as JSON in `data`.

Who may follow: an API token's user who may watch the run, a signed-in owner (cookie), or
anyone for a public run (an anonymous embed's, a permalink's): the token in the URL is the
capability. Sent with `Access-Control-Allow-Origin: *` and no credentials, so an embedded
widget on any page can follow its run with EventSource.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.http import AsyncHttpConsumer
from django.conf import settings
from django.utils import translation

from labs.access import can_watch_run, is_public_run
from labs.consumers import viewer_language
from labs.grading import words
from labs.models import Run, RunEvent
from web.api.auth import token_for_key

FINISHED = "finished"
POLL_S = 0.1
KEEPALIVE_S = 15.0
# A stream ends by itself after this long (a client reconnects with Last-Event-ID).
MAX_STREAM_S = 600.0
CORS = [
    (b"Access-Control-Allow-Origin", b"*"),
    (b"Access-Control-Allow-Headers", b"Authorization, Last-Event-ID"),
]
STREAM_HEADERS = [
    (b"Content-Type", b"text/event-stream; charset=utf-8"),
    (b"Cache-Control", b"no-cache"),
    (b"X-Accel-Buffering", b"no"),
    *CORS,
]


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    return {k.decode("latin1").lower(): v.decode("latin1") for k, v in scope.get("headers", [])}


def sse_message(seq: int, data: dict[str, Any]) -> bytes:
    kind = str(data.get("event", "message")).replace("\n", " ")
    payload = json.dumps({"seq": seq, **data}, separators=(",", ":"))
    return f"id: {seq}\nevent: {kind}\ndata: {payload}\n\n".encode()


class RunEventStream(AsyncHttpConsumer):
    """The stream is read from the stored events (every event is stored before it is sent,
    labs/events.py), polled every POLL_S: a consumer's handle() owns it until the response
    ends, so it cannot also take group messages; a poll also works with Redis down."""

    async def handle(self, body: bytes) -> None:
        self.token = self.scope["url_route"]["kwargs"]["token"]
        headers = _headers(self.scope)
        if self.scope.get("method") == "OPTIONS":
            await self.send_response(204, b"", headers=[*CORS, (b"Access-Control-Max-Age", b"600")])
            return
        run = await self._get_run(headers)
        if run is None:
            error = json.dumps({"error": "No such run."}).encode()
            await self.send_response(
                404, error, headers=[(b"Content-Type", b"application/json"), *CORS]
            )
            return
        # a platform failure and the whole of a run on every kernel are data: worded in
        # the page's `?lang=`, else the run's language
        self.language = viewer_language(self.scope) or run.language or settings.LANGUAGE_CODE
        await self.send_headers(headers=STREAM_HEADERS)
        await self.send_body(b": bpflab run events\n\n", more_body=True)
        await self._stream(_last_event_id(headers))

    async def _stream(self, last_seq: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_STREAM_S
        quiet_since = loop.time()
        while loop.time() < deadline:
            events = await self._stored_events(last_seq)
            for seq, data in events:
                last_seq = seq
                if data.get("event") == FINISHED:
                    with translation.override(self.language):
                        data = words.finished_event(data)
                    await self.send_body(sse_message(seq, data), more_body=False)
                    return
                if data.get("event") == "verdict" and "kernels" in data:
                    with translation.override(self.language):
                        data = words.kernels_event(data)  # the whole of a run on every kernel
                await self.send_body(sse_message(seq, data), more_body=True)
            if events:
                quiet_since = loop.time()
            elif loop.time() - quiet_since > KEEPALIVE_S:
                await self.send_body(b": keepalive\n\n", more_body=True)
                quiet_since = loop.time()
                await self._reap_if_stale()
            await asyncio.sleep(POLL_S)
        await self.send_body(b"", more_body=False)

    @database_sync_to_async
    def _get_run(self, headers: dict[str, str]) -> Run | None:
        from labs.runner import reap_if_stale
        from web.api.auth import key_from_headers

        run = Run.objects.select_related("submission").filter(token=self.token).first()
        if run is None:
            return None
        user = self.scope.get("user")
        api = token_for_key(key_from_headers(headers))
        allowed = is_public_run(run) or can_watch_run(user, run)
        if not allowed and api is not None:
            allowed = can_watch_run(api.user, run)
        if not allowed:
            return None
        reap_if_stale(run)
        return run

    @database_sync_to_async
    def _stored_events(self, after: int) -> list[tuple[int, dict[str, Any]]]:
        rows = RunEvent.objects.filter(run__token=self.token, seq__gt=after).order_by("seq")
        return list(rows.values_list("seq", "data"))

    @database_sync_to_async
    def _reap_if_stale(self) -> None:
        from labs.runner import reap_if_stale

        run = Run.objects.filter(token=self.token).first()
        if run is not None:
            reap_if_stale(run)


def _last_event_id(headers: dict[str, str]) -> int:
    value = headers.get("last-event-id", "")
    return int(value) if value.isdigit() else 0
