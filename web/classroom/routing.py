from __future__ import annotations

from django.urls import path

from web.classroom.consumers import CohortActivityConsumer

websocket_urlpatterns = [
    path("ws/cohorts/<int:cohort_id>/activity/", CohortActivityConsumer.as_asgi()),
]
