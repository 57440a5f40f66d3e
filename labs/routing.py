from __future__ import annotations

from django.urls import path

from labs.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/runs/<str:token>/", RunConsumer.as_asgi()),
]
