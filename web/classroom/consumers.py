"""The cohort activity feed: the cohort's recent runs, then each run start/finish live, to the
cohort's instructor only."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from labs.access import can_view_cohort
from labs.classroom import recent_activity
from labs.events import cohort_group
from labs.models import Cohort

CLOSE_FORBIDDEN = 4403


class CohortActivityConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.cohort_id = int(self.scope["url_route"]["kwargs"]["cohort_id"])
        cohort = await self._get_cohort()
        if cohort is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = cohort_group(self.cohort_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        for activity in await self._recent(cohort):
            await self.send_json({**activity, "replay": True})

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def cohort_activity(self, message: dict[str, Any]) -> None:
        await self.send_json({**message["activity"], "replay": False})

    @database_sync_to_async
    def _get_cohort(self) -> Cohort | None:
        cohort = Cohort.objects.filter(pk=self.cohort_id).first()
        if cohort is None or not can_view_cohort(self.scope.get("user"), cohort):
            return None
        return cohort

    @database_sync_to_async
    def _recent(self, cohort: Cohort) -> list[dict[str, Any]]:
        return recent_activity(cohort)
