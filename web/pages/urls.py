from __future__ import annotations

from django.urls import path

from web.pages import accounts, catalogue, history, lab, runs

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("labs/<slug:slug>/", lab.lab_page, name="lab"),
    path("labs/<slug:slug>/draft/", lab.draft_save, name="lab-draft"),
    path("labs/<slug:slug>/reset/", lab.draft_reset, name="lab-reset"),
    path("labs/<slug:slug>/run/", lab.submit_run, name="lab-run"),
    path("labs/<slug:slug>/history/", history.lab_history, name="lab-history"),
    path("runs/<str:token>/", runs.run_page, name="run"),
    path("runs/<str:token>/diff/", runs.run_diff, name="run-diff"),
]
