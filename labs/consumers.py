"""The run stream: replays a run's stored events, then relays live ones, to its owner only.

A run whose worker died is graded again; the page shows the latest attempt only. The replay
starts at the latest stored attempt, and a live event of an older attempt (a worker that
lost its lease but has not noticed yet) is dropped."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from labs.access import can_watch_run
from labs.events import attempt_of, run_group
from labs.grading import words
from labs.models import ApiToken, Run, RunEvent

CLOSE_FORBIDDEN = 4403


def viewer_language(scope: dict[str, Any]) -> str | None:
    """The page's language, from the socket's `?lang=` (None: the run's own language)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = (query.get("lang") or [""])[0]
    return wanted if wanted in dict(settings.LANGUAGES) else None


class RunConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.token = self.scope["url_route"]["kwargs"]["token"]
        self.language = viewer_language(self.scope)
        # (kernel, name) -> check event, to word the verdict from
        self.checks: dict[tuple[str, str], dict[str, Any]] = {}
        self.last_seq = 0
        self.attempt = 0
        run = await self._get_run()
        if run is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        # checks are stored as data: they are always worded, for a page that names no
        # language in the language the run was submitted in
        self.language = self.language or run.language or settings.LANGUAGE_CODE
        # Join before replaying so nothing published in between is missed; duplicates are
        # dropped by seq in run_event.
        self.group = run_group(self.token)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        events = await self._stored_events()
        latest = max((attempt_of(data) for _, data in events), default=0)
        for seq, data in events:
            if attempt_of(data) >= latest:
                await self._forward(seq, data)
        waiting = await self._waiting()
        if waiting is not None:
            await self.send_json(waiting)  # a status, not an event: no seq

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def run_event(self, message: dict[str, Any]) -> None:
        seq = message["seq"]
        if seq > self.last_seq + 1:
            # Live copies leave each process in order, but two processes (the sweeper
            # requeueing a run, the worker grading it) race: a later event can arrive
            # first. Every event is stored before it is sent, so the gap is read back.
            for missed, data in await self._stored_events(after=self.last_seq, before=seq):
                await self._forward(missed, data)
        await self._forward(seq, message["event"])

    async def _forward(self, seq: int, data: dict[str, Any]) -> None:
        if seq <= self.last_seq or attempt_of(data) < self.attempt:
            return
        self.last_seq = seq
        if attempt_of(data) > self.attempt:
            self.checks.clear()  # a new attempt: its verdict is worded from its own checks
        self.attempt = attempt_of(data)
        await self.send_json({"seq": seq, **self._worded(data)})

    def _worded(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check, verdict and finished events worded in the viewer's language: a run
        submitted from a Chinese page and watched from an English one reads in English."""
        if data.get("event") == "finished":
            with translation.override(self.language):
                return words.finished_event(data)
        if data.get("event") not in ("check", "verdict"):
            return data
        kernel = str(data.get("kernel") or "")  # a run on every kernel: one verdict each
        with translation.override(self.language):
            if data.get("kind") == "playground":  # a free-form run: no checks to word
                from labs.playground import summary

                return {**data, "summary": summary(data.get("facts") or {})}
            if data["event"] == "check":
                self.checks[(kernel, str(data.get("name")))] = data
                return words.check_event(data)
            if "kernels" in data:  # the whole of a run on every kernel
                return words.kernels_event(data)
            # a run on one kernel tags its verdict with it, not its checks ("")
            checks = [c for (k, _name), c in self.checks.items() if k in (kernel, "")]
            return words.verdict_event(data, checks)

    @database_sync_to_async
    def _get_run(self) -> Run | None:
        from labs.runner import reap_if_stale

        run = Run.objects.select_related("submission").filter(token=self.token).first()
        if run is None or not can_watch_run(self._user(), run):
            return None
        reap_if_stale(run)
        return run

    def _user(self) -> Any:
        """The signed-in user, or an API token's (`Authorization: Bearer <key>`, for
        programs following a run they created through the HTTP API)."""
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            return user
        for name, value in self.scope.get("headers", []):
            text = value.decode("latin1")
            if name.lower() == b"authorization" and text.lower().startswith("bearer "):
                token = ApiToken.for_key(text[7:].strip())
                return token.user if token else user
        return user

    @database_sync_to_async
    def _stored_events(
        self, after: int = 0, before: int | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        rows = RunEvent.objects.filter(run__token=self.token, seq__gt=after).order_by("seq")
        if before is not None:
            rows = rows.filter(seq__lt=before)
        return list(rows.values_list("seq", "data"))

    @database_sync_to_async
    def _waiting(self) -> dict[str, Any] | None:
        from labs.queue import waiting

        run = Run.objects.select_related("submission").get(token=self.token)
        why = waiting(run)
        return why.to_event(run) if why else None
