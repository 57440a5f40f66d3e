from __future__ import annotations

from django.urls import path

from web.api import tokens, views

urlpatterns = [
    path("v1/runs", views.create_run, name="api-runs"),
    path("v1/runs/<str:run_token>", views.run_detail, name="api-run"),
    # served by web.api.events.RunEventStream (web/asgi.py); named here for reverse()
    path("v1/runs/<str:run_token>/events", views.run_detail, name="api-run-events"),
    path("", tokens.api_docs, name="api-docs"),
    path("tokens/", tokens.token_list, name="api-tokens"),
    path("tokens/new/", tokens.token_create, name="api-token-create"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api-token-revoke"),
]
