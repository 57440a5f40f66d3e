"""The pages where instructors write labs: the editor (validated as they type, with a
lesson preview), the live self-check, publishing, re-grading, sharing, archives.
The rules are labs/authoring.py's; these views only read forms and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from labs import authoring
from labs.access import is_instructor
from labs.authoring import AuthoringError
from labs.models import AuthoredLab, Cohort, LabVersion
from labs.spec import LANGUAGES
from web.pages.lessons import render_markdown

# The editor's fields: the lab's files, with the differential settings on their own.
EDITED_FILES = (
    "lab.yaml",
    "lesson.en.md",
    "lesson.zh-hans.md",
    "starter.c",
    "solution.c",
    "starter.zh-hans.c",
    "hints.en.yaml",
    "hints.zh-hans.yaml",
)
DIFFERENTIAL = "differential"
NEW_LAB = """\
slug: {slug}
title: {{en: "My lab", zh-hans: "我的实验"}}
summary: {{en: "What the learner builds", zh-hans: "学习者要写的程序"}}
program_type: xdp
section: xdp
checks:
  - name: udp-dropped
    describe: {{en: "A UDP packet is dropped", zh-hans: "UDP 包被丢弃"}}
    packet:
      eth: {{}}
      ipv4: {{}}
      udp: {{sport: 40000, dport: 53}}
    expect: {{action: XDP_DROP}}
"""
NEW_SOURCE = """\
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int prog(struct xdp_md *ctx)
{{
    return {action};
}}

char LICENSE[] SEC("license") = "GPL";
"""


def _instructor(request: HttpRequest) -> None:
    if not (is_instructor(request.user) or request.user.is_staff):
        raise PermissionDenied(_("Only instructors write labs."))


def _editable(request: HttpRequest, slug: str) -> AuthoredLab:
    authored = AuthoredLab.objects.select_related("lab", "current", "owner").filter(lab__slug=slug)
    found = authored.first()
    if found is None or not authoring.can_edit(request.user, found):
        raise Http404("No such lab")
    return found


def _new_files(slug: str) -> dict[str, str]:
    return {
        "lab.yaml": NEW_LAB.format(slug=slug),
        "lesson.en.md": "# My lab\n\nWrite the lesson here.\n",
        "starter.c": NEW_SOURCE.format(action="XDP_PASS"),
        "solution.c": NEW_SOURCE.format(action="XDP_DROP"),
        "hints.en.yaml": "- Which action drops a frame?\n",
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _instructor(request)
    labs = authoring.editable_by(request.user)
    return render(request, "authoring/index.html", {"labs": labs})


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    _instructor(request)
    slug = request.POST.get("slug", "").strip()
    try:
        authored = authoring.create(request.user, slug, _new_files(slug))
    except AuthoringError as error:
        messages.error(request, error.message)
        return redirect("authoring:index")
    return redirect("authoring:edit", slug=authored.lab.slug)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    _instructor(request)
    archive = request.FILES.get("archive")
    try:
        if archive is None:
            raise AuthoringError(_("choose a zip archive of a lab folder"))
        data = archive.read(authoring.settings.AUTHORED_ARCHIVE_BYTES + 1)
        slug, files = authoring.read_archive(data)
        authored = authoring.import_files(request.user, slug, files)
    except AuthoringError as error:
        messages.error(
            request, _("The archive was not imported: %(error)s") % {"error": error.message}
        )
        return redirect("authoring:index")
    messages.success(request, _("Imported %(slug)s.") % {"slug": slug})
    return redirect("authoring:edit", slug=authored.lab.slug)


def posted_files(request: HttpRequest) -> dict[str, str]:
    """The editor's fields as a lab's files (newlines as the browser sends them, normalised)."""
    fields = {name: request.POST.get(name, "").replace("\r\n", "\n") for name in EDITED_FILES}
    fields["lab.yaml"] = authoring.merge_differential(
        fields["lab.yaml"], request.POST.get(DIFFERENTIAL, "").replace("\r\n", "\n")
    )
    return {name: text for name, text in fields.items() if text.strip()}


def _problem(files: dict[str, str], slug: str) -> AuthoringError | None:
    try:
        authoring.validate(files, slug)
    except AuthoringError as error:
        return error
    return None


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    authored = _editable(request, slug)
    if request.method == "POST":
        try:
            authoring.save_files(authored, posted_files(request))
        except AuthoringError as error:
            messages.error(request, _("Not saved: %(error)s") % {"error": error.message})
        else:
            messages.success(request, _("Saved."))
        return redirect("authoring:edit", slug=slug)
    return render(request, "authoring/edit.html", _edit_context(request, authored))


def _edit_context(request: HttpRequest, authored: AuthoredLab) -> dict[str, Any]:
    files = dict(authored.files)
    lab_yaml, differential = authoring.split_differential(files.get("lab.yaml", ""))
    fields = [(name, files.get(name, "")) for name in EDITED_FILES]
    fields[0] = ("lab.yaml", lab_yaml)
    latest = authoring.latest_self_check(authored)
    current_hash = authoring.files_hash(authored.files)
    return {
        "authored": authored,
        "lab": authored.lab,
        "fields": fields,
        "differential": differential,
        "problem": _problem(files, authored.lab.slug),
        "previews": _previews(files),
        "latest": latest,
        "latest_is_current": latest is not None and latest.version.content_hash == current_hash,
        "versions": authored.versions.filter(number__isnull=False).order_by("-number"),
        "is_owner": authored.owner_id == request.user.id or request.user.is_superuser,
        "my_cohorts": Cohort.objects.filter(instructor=authored.owner),
        "attached": set(authored.cohorts.values_list("pk", flat=True)),
        "co_instructors": authored.co_instructors.all(),
        "submissions": authored.lab.submissions.filter(via="lab").count(),
    }


def _previews(files: dict[str, str]) -> list[tuple[str, str]]:
    full = authoring.completed(files)
    return [(lang, render_markdown(full.get(f"lesson.{lang}.md", ""))) for lang in LANGUAGES]


@login_required
@require_POST
def validate(request: HttpRequest, slug: str) -> JsonResponse:
    """What the editor asks as the instructor types: does it load, and the lesson preview."""
    authored = _editable(request, slug)
    files = posted_files(request)
    try:
        authoring.check_limits(files)
        problem = _problem(files, authored.lab.slug)
        previews = dict(_previews(files))
    except AuthoringError as error:
        problem, previews = error, {}
    return JsonResponse(
        {
            "ok": problem is None,
            "problem": problem.to_dict() if problem else None,
            "previews": previews,
        }
    )


@login_required
@require_POST
def start_self_check(request: HttpRequest, slug: str) -> HttpResponse:
    authored = _editable(request, slug)
    try:
        version = authoring.start_self_check(authored, request.user, request.LANGUAGE_CODE)
    except AuthoringError as error:
        messages.error(
            request, _("The self-check cannot start: %(error)s") % {"error": error.message}
        )
        return redirect("authoring:edit", slug=slug)
    return redirect("authoring:self_check_page", slug=slug, version_id=version.pk)


@login_required
def self_check_page(request: HttpRequest, slug: str, version_id: int) -> HttpResponse:
    authored = _editable(request, slug)
    version = get_object_or_404(LabVersion, pk=version_id, authored=authored)
    check = authoring.self_check(version)
    context = {
        "authored": authored,
        "lab": authored.lab,
        "check": check,
        "roles": [(role, check.runs.get(role)) for role in ("solution", "starter")],
        "is_current": version.content_hash == authoring.files_hash(authored.files),
    }
    return render(request, "authoring/self_check.html", context)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    authored = _editable(request, slug)
    try:
        version = authoring.publish(authored)
    except AuthoringError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Published version %(number)d.") % {"number": version.number})
    return redirect("authoring:edit", slug=slug)


@login_required
@require_POST
def regrade(request: HttpRequest, slug: str) -> HttpResponse:
    authored = _editable(request, slug)
    try:
        count = authoring.regrade(authored)
    except AuthoringError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(count)d submissions queued for re-grading.") % {"count": count}
        )
    return redirect("authoring:edit", slug=slug)


@login_required
@require_POST
def sharing(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner attaches the lab to their cohorts and names co-instructors."""
    authored = _editable(request, slug)
    if authored.owner_id != request.user.id and not request.user.is_superuser:
        raise PermissionDenied(_("Only the lab's owner shares it."))
    chosen = Cohort.objects.filter(
        instructor=authored.owner, pk__in=request.POST.getlist("cohorts")
    )
    authored.cohorts.set(chosen)
    names = request.POST.get("co_instructors", "").replace(",", " ").split()
    users = [u for u in get_user_model().objects.filter(username__in=names) if is_instructor(u)]
    unknown = sorted(set(names) - {u.get_username() for u in users})
    authored.co_instructors.set([u for u in users if u.pk != authored.owner_id])
    if unknown:
        messages.error(
            request, _("Not instructors here: %(names)s") % {"names": ", ".join(unknown)}
        )
    else:
        messages.success(request, _("Saved."))
    return redirect("authoring:edit", slug=slug)


@login_required
@require_POST
def promote(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_staff:
        raise PermissionDenied(_("Only staff promote labs to the curriculum."))
    authored = get_object_or_404(AuthoredLab, lab__slug=slug)
    authored.promoted = request.POST.get("promoted") == "1"
    authored.save(update_fields=["promoted", "updated_at"])
    return redirect("authoring:edit", slug=slug)


@login_required
def download(request: HttpRequest, slug: str) -> HttpResponse:
    authored = _editable(request, slug)
    data = authoring.archive(authored.files, authored.lab.slug)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{authored.lab.slug}.zip"'
    return response
