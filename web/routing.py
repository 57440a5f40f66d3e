from __future__ import annotations

from typing import Any

from labs.routing import websocket_urlpatterns as lab_websockets
from web.classroom.routing import websocket_urlpatterns as classroom_websockets

websocket_urlpatterns = [*lab_websockets, *classroom_websockets]


def http_urlpatterns(auth: Any) -> list[Any]:
    """HTTP paths served by consumers (long-lived streams); `auth` wraps them for cookies."""
    from django.urls import path

    from web.api.events import RunEventStream

    return [path("api/v1/runs/<str:token>/events", auth(RunEventStream.as_asgi()))]
