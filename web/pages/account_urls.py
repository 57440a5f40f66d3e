"""Account pages served by our views; the rest of /accounts/ is django.contrib.auth.urls."""

from __future__ import annotations

from django.urls import path

from web.pages import accounts

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        accounts.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
]
