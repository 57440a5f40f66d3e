from __future__ import annotations

from django.urls import path

from web.embed import views

urlpatterns = [
    path("token", views.page_token, name="embed-token"),
    path("runs", views.create_run, name="embed-runs"),
    path("p/<str:slug>", views.snippet_frame, name="embed-snippet"),
    path("frame", views.code_frame, name="embed-frame"),
]
