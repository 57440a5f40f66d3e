from __future__ import annotations

from django.urls import path

from web.authoring import views

app_name = "authoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("upload/", views.upload, name="upload"),
    path("<slug:slug>/", views.edit, name="edit"),
    path("<slug:slug>/validate/", views.validate, name="validate"),
    path("<slug:slug>/self-check/", views.start_self_check, name="self_check"),
    path("<slug:slug>/self-check/<int:version_id>/", views.self_check_page, name="self_check_page"),
    path("<slug:slug>/publish/", views.publish, name="publish"),
    path("<slug:slug>/regrade/", views.regrade, name="regrade"),
    path("<slug:slug>/sharing/", views.sharing, name="sharing"),
    path("<slug:slug>/promote/", views.promote, name="promote"),
    path("<slug:slug>/archive.zip", views.download, name="download"),
]
