from __future__ import annotations

from django.urls import path

from web.classroom import views

app_name = "classroom"

urlpatterns = [
    path("", views.index, name="index"),
    path("cohorts/new/", views.create_cohort, name="create"),
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join, name="join_code"),
    path("cohorts/<int:cohort_id>/", views.dashboard, name="dashboard"),
    path("cohorts/<int:cohort_id>/grid.csv", views.grid_csv, name="grid_csv"),
    path("cohorts/<int:cohort_id>/plan/", views.assign_plan, name="assign_plan"),
    path("cohorts/<int:cohort_id>/kernel/", views.cohort_kernel, name="cohort_kernel"),
    path("cohorts/<int:cohort_id>/charts/pass-rate.svg", views.pass_rate_svg, name="pass_rate_svg"),
    path("cohorts/<int:cohort_id>/charts/attempts.svg", views.attempts_svg, name="attempts_svg"),
    path("cohorts/<int:cohort_id>/labs/<slug:slug>/", views.lab_failures, name="lab_failures"),
    path("cohorts/<int:cohort_id>/learners/<int:user_id>/", views.learner_detail, name="learner"),
    path("cohorts/<int:cohort_id>/runs/<int:run_id>/", views.run_detail, name="run"),
]
