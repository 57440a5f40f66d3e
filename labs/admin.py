"""The admin: content is read-only here (it comes from content/ via load_content); runs and
cohorts can be inspected and cohorts managed."""

from __future__ import annotations

from django.contrib import admin

from labs.models import (
    ApiToken,
    AuthoredLab,
    Cohort,
    CohortPlan,
    Lab,
    LabVersion,
    Membership,
    Plan,
    PlanEnrollment,
    Progress,
    Run,
    Snippet,
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
    list_display = ["id", "user", "lab", "via", "created_at"]
    list_filter = ["via", "lab"]
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


@admin.register(Snippet)
class SnippetAdmin(admin.ModelAdmin):
    """Snippets never change (a permalink is immutable): inspect or delete only."""

    list_display = ["slug", "author", "parent", "created_at"]
    readonly_fields = ["slug", "source", "settings", "parent", "author", "title", "created_at"]
    raw_id_fields = ["author", "parent"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """A token's limits can be raised here; its key is never stored, only its hash."""

    list_display = ["name", "user", "hint", "runs_per_minute", "max_concurrent", "revoked_at"]
    readonly_fields = ["key_hash", "hint", "created_at", "last_used_at"]
    raw_id_fields = ["user"]


@admin.register(AuthoredLab)
class AuthoredLabAdmin(admin.ModelAdmin):
    """Labs instructors wrote (labs/authoring.py): promote one, or see whose it is. Their
    files change through the authoring pages, where they are validated."""

    list_display = ["lab", "owner", "current", "promoted", "origin", "updated_at"]
    list_filter = ["promoted"]
    readonly_fields = ["lab", "files", "current", "origin", "created_at", "updated_at"]
    raw_id_fields = ["owner", "co_instructors", "cohorts"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(LabVersion)
class LabVersionAdmin(admin.ModelAdmin):
    """Versions are frozen: runs were graded against them."""

    list_display = ["authored", "number", "content_hash", "published_at", "created_by"]
    readonly_fields = [f.name for f in LabVersion._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
