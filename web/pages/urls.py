from __future__ import annotations

from django.urls import path

from web.pages import views

urlpatterns = [
    path("", views.home, name="home"),
]
