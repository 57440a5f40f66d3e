from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("classroom/", include("web.classroom.urls")),
    path("plans/", include("web.plans.urls")),
    path("", include("web.pages.urls")),
]
