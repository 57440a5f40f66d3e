from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from web.embed import views as embed
from web.health import healthz
from web.pages import accounts
from web.playground import views as playground

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
    path("authoring/", include("web.authoring.urls")),
    path("plans/", include("web.plans.urls")),
    path("playground/", include("web.playground.urls")),
    path("api/", include("web.api.urls")),
    path("embed/", include("web.embed.urls")),
    path("embed.js", embed.embed_script, name="embed-script"),
    path("oembed", embed.oembed, name="oembed"),
    path("p/<str:slug>", playground.snippet_page, name="snippet"),
    path("", include("web.pages.urls")),
]
