from __future__ import annotations

from labs.routing import websocket_urlpatterns as lab_websockets
from web.classroom.routing import websocket_urlpatterns as classroom_websockets

websocket_urlpatterns = [*lab_websockets, *classroom_websockets]
