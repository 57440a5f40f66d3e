from __future__ import annotations

from labs.routing import websocket_urlpatterns as lab_websockets

websocket_urlpatterns = [*lab_websockets]
