from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from web.health import healthz
from web.pages import accounts

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("accounts/", include("web.pages.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("classroom/", include("web.classroom.urls")),
    path("plans/", include("web.plans.urls")),
    path("", include("web.pages.urls")),
]
