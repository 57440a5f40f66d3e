from __future__ import annotations

from django.urls import path

from web.playground import views

urlpatterns = [
    path("", views.playground_page, name="playground"),
    path("open/", views.open_from_lab, name="playground-open"),
    path("run/", views.run_program, name="playground-run-program"),
    path("share/", views.share, name="playground-share"),
    path("runs/<str:token>/", views.run_page, name="playground-run"),
    path("runs/<str:token>/stop/", views.stop_run, name="playground-stop"),
]
