"""The admin: content is read-only here (it comes from content/ via load_content); runs and
cohorts can be inspected and cohorts managed."""

from __future__ import annotations

from django.contrib import admin

from labs.models import (
    Cohort,
    CohortPlan,
    Lab,
    Membership,
    Plan,
    PlanEnrollment,
    Progress,
    Run,
    Stage,
    Submission,
)


class ReadOnlyContentAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Stage)
class StageAdmin(ReadOnlyContentAdmin):
    list_display = ["slug", "order"]


@admin.register(Lab)
class LabAdmin(ReadOnlyContentAdmin):
    list_display = ["slug", "stage", "order", "program_type", "is_active"]
    list_filter = ["stage", "is_active"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyContentAdmin):
    list_display = ["slug", "order", "days_per_lab"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "lab", "created_at"]
    list_filter = ["lab"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "submission", "status", "passed", "backend", "created_at", "finished_at"]
    list_filter = ["status", "passed", "backend"]
    readonly_fields = ["token", "verdict"]
    raw_id_fields = ["submission"]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lab", "status", "attempts", "passed_at"]
    list_filter = ["status", "lab"]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "instructor", "join_code", "is_open"]
    inlines = [MembershipInline]
    raw_id_fields = ["instructor"]


admin.site.register(CohortPlan)
admin.site.register(PlanEnrollment)
