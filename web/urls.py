from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from web.health import healthz
from web.pages import accounts

handler404 = "web.errors.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; answer with the one icon.
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("accounts/", include("web.pages.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("classroom/", include("web.classroom.urls")),
    path("plans/", include("web.plans.urls")),
    path("", include("web.pages.urls")),
]
