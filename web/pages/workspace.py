"""The lab workspace both the lab page and a run page render: lesson beside the editor, the
run panel below it. Only the code in the editor and the run being watched differ."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from labs.i18n import pick
from labs.models import AuthoredLab, Draft, Lab, Run, Submission
from labs.submissions import sandbox_note
from web.pages.forms import SourceForm
from web.pages.kernels import picker as kernel_picker
from web.pages.lessons import render_markdown
from web.pages.progress import neighbours, standing_for
from web.pages.strings import run_panel_strings
from web.pages.verdicts import run_summary, waiting_text

# A visitor who is not signed in keeps drafts in the session (lab slug -> source) until
# they log in or sign up; then they become the account's drafts.
SESSION_DRAFTS = "drafts"


def draft_or_starter(request: HttpRequest, lab: Lab) -> str:
    if request.user.is_authenticated:
        draft = Draft.objects.filter(user=request.user, lab=lab).first()
        if draft is not None:
            return draft.source
        return lab.starter_text()
    return request.session.get(SESSION_DRAFTS, {}).get(lab.slug, lab.starter_text())


def save_session_draft(request: HttpRequest, lab: Lab, source: str) -> None:
    drafts = dict(request.session.get(SESSION_DRAFTS, {}))
    drafts[lab.slug] = source
    request.session[SESSION_DRAFTS] = drafts


def adopt_session_drafts(request: HttpRequest, user: Any) -> None:
    """Drafts typed before logging in become the account's (they are the newest work)."""
    drafts = request.session.pop(SESSION_DRAFTS, {})
    for lab in Lab.objects.filter(slug__in=list(drafts)):
        if drafts[lab.slug] not in (lab.starter, *lab.starter_translations.values()):
            save_draft(user, lab, drafts[lab.slug])


def save_draft(user: Any, lab: Lab, source: str) -> Draft:
    draft, _created = Draft.objects.update_or_create(
        user=user, lab=lab, defaults={"source": source}
    )
    return draft


def check_summaries(lab: Lab) -> list[dict[str, str]]:
    """The checks a run of `lab` gets, before it runs: the lab's own, then the comparison
    on generated frames where the lab has one (else "0 of 5" followed a list of four)."""
    listed = [{"name": c.get("name", ""), "describe": pick(c.get("describe"))} for c in lab.checks]
    generated = generated_check(lab)
    return listed + [generated] if generated else listed


def generated_check(lab: Lab) -> dict[str, str] | None:
    from labs import authoring, curriculum
    from labs.grading import differential
    from labs.spec import DIFFERENTIAL_CHECK, ContentError

    version = authoring.current_version(lab)
    if version is not None:
        spec = authoring.spec_for_version(version)
    elif AuthoredLab.objects.filter(lab=lab).exists():
        return None  # an authored lab not published yet: no version to read it from
    else:
        try:
            spec = curriculum.get_lab(lab.slug)
        except ContentError:  # a row without its folder (gone from CONTENT_DIR)
            return None
    if not spec.traffic:
        return None
    phase = differential.Phase(spec, 0, [], [])
    words = differential.describe(phase, spec.traffic.frames)
    return {"name": DIFFERENTIAL_CHECK, "describe": pick(words)}


def render_workspace(
    request: HttpRequest,
    lab: Lab,
    source: str,
    run: Run | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    before, after = neighbours(lab, request.user)
    recent = []
    if request.user.is_authenticated:
        recent = Run.objects.filter(submission__user=request.user, submission__lab=lab).exclude(
            submission__via=Submission.SELF_CHECK
        )[:5]
    context = {
        "lab": lab,
        "lesson_html": render_markdown(lab.lesson_text() or ""),
        "hints": [render_markdown(str(hint)) for hint in lab.hint_list()],
        "form": SourceForm(initial={"source": source}),
        "standing": standing_for(request.user, lab, before),
        "checks": check_summaries(lab),
        "run": run,
        "run_summary": run_summary(run) if run else "",
        "run_waiting": waiting_text(run) if run else "",
        "recent_runs": recent,
        "refusal": refusal,
        "sandbox_note": "" if lab.runs_here() else sandbox_note(lab),
        "panel_config": _panel_config(request, lab, run, after),
        "strings": run_panel_strings(),
        "kernels": kernel_picker(request, lab, run),
    }
    return render(request, "pages/lab.html", context, status=status)


def _panel_config(
    request: HttpRequest, lab: Lab, run: Run | None, following: Lab | None
) -> dict[str, Any]:
    return {
        "draftUrl": reverse("lab-draft", args=[lab.slug]),
        "nextUrl": reverse("lab", args=[following.slug]) if following else "",
        "nextLabel": _("Next lab: %(title)s →") % {"title": following.title_text()}
        if following
        else "",
        # the server words the run's outcome again in the page's language
        "wsPath": f"/ws/runs/{run.token}/?lang={get_language() or 'en'}" if run else "",
    }
