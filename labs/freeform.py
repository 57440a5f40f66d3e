"""Where a free-form run starts (the playground, a permalink, an embed, the API) and where a
snippet is shared. Every way in makes the same Submission + Run and goes through the same
queue as a lab run (labs/submissions.py); only who may run, and how often, differs:

- a signed-in user: the same limits as lab runs (RUNS_PER_MINUTE, MAX_CONCURRENT_RUNS);
- an API token: the token's own limits;
- an anonymous visitor (an embed, or the playground without an account): only where runs
  go to a disposable kernel (the `microvm` backend), at most EMBED_RUNS_PER_VISITOR_PER_HOUR
  per visitor and EMBED_RUNS_PER_SITE_PER_HOUR per embedding site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from labs import kernels, playground
from labs.models import ApiToken, Run, Snippet, Submission
from labs.queue import hold_lock
from labs.submissions import SubmissionRefused, check_limits, check_source

# The backend that gives every run a kernel of its own: the only one anonymous code runs on.
DISPOSABLE_BACKEND = "microvm"


@dataclass
class Runner:
    """Who asks for a run: a user, an API token (and its user), or an anonymous visitor
    (a hash, see web/playground/visitors.py) on an embedding site."""

    user: Any = None
    token: ApiToken | None = None
    visitor: str = ""
    site: str = ""

    @property
    def anonymous(self) -> bool:
        return self.user is None or not getattr(self.user, "is_authenticated", False)


def anonymous_runs_allowed(backend: str | None = None) -> bool:
    return (backend or settings.SANDBOX_BACKEND) == DISPOSABLE_BACKEND


def why_an_account() -> str:
    return _(
        "This site runs programs on a kernel it shares with other runs, so only signed-in "
        "users may run code here. Sites whose runs each get a throwaway virtual machine let "
        "anyone run."
    )


def submit_free_form(
    runner: Runner,
    source: str,
    raw_settings: Any,
    *,
    via: str = Submission.PLAYGROUND,
    snippet: Snippet | None = None,
    language: str | None = None,
) -> Run:
    """A queued free-form Run; SubmissionRefused says why not (with an HTTP status)."""
    try:
        cfg = playground.parse_settings(raw_settings)
    except playground.SettingsError as exc:
        raise SubmissionRefused(str(exc), 400) from None
    _check_hook_available(cfg)
    with transaction.atomic():
        _check_runner(runner, source)
        submission = Submission.objects.create(
            user=None if runner.anonymous else runner.user,
            lab=None,
            source=source,
            via=via,
            settings=cfg.to_dict(),
            snippet=snippet if snippet and _same(snippet, source, cfg.to_dict()) else None,
            api_token=runner.token,
            visitor=runner.visitor if runner.anonymous else "",
            site=runner.site[:255],
        )
        run = Run.objects.create(
            submission=submission,
            backend=settings.SANDBOX_BACKEND,
            language=language or settings.LANGUAGE_CODE,
            kernel=cfg.kernel or kernels.site_default(),
        )
        transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: Run) -> None:
    from labs import submissions

    submissions._enqueue(run)


def _check_hook_available(cfg: playground.PlaygroundSettings) -> None:
    if cfg.hook in playground.VM_ONLY_HOOKS and settings.SANDBOX_BACKEND != DISPOSABLE_BACKEND:
        message = _(
            "%(hook)s programs need the microVM sandbox; this site runs programs on its host "
            "kernel, which has no kprobes and refuses fentry/fexit."
        )
        raise SubmissionRefused(message % {"hook": cfg.hook}, 400)


def _check_runner(runner: Runner, source: str) -> None:
    """Inside the transaction that makes the run: each count is taken under a lock, so two
    requests at once are counted one after the other (labs.queue.hold_lock)."""
    if runner.token is not None:
        hold_lock("submit-token", runner.token.pk)
        _check_token_limits(runner.token, source)
    elif not runner.anonymous:
        check_limits(runner.user, source)
    else:
        _check_anonymous(runner, source)


def _check_token_limits(token: ApiToken, source: str) -> None:
    check_source(source)
    runs = Run.objects.filter(submission__api_token=token)
    live = runs.exclude(status__in=Run.FINISHED).count()
    if live >= token.max_concurrent:
        message = _("This token already has %(live)d runs in progress; wait for one to finish.")
        raise SubmissionRefused(message % {"live": live}, 429)
    recent = runs.filter(created_at__gte=timezone.now() - timedelta(minutes=1)).count()
    if recent >= token.runs_per_minute:
        message = _("This token ran %(recent)d times in the last minute (limit %(limit)d).")
        raise SubmissionRefused(message % {"recent": recent, "limit": token.runs_per_minute}, 429)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


def _check_anonymous(runner: Runner, source: str) -> None:
    if not anonymous_runs_allowed():
        raise SubmissionRefused(why_an_account(), 403)
    check_source(source)
    if not runner.visitor:
        raise SubmissionRefused(_("This page's run token is missing or expired; reload it."), 403)
    hold_lock("submit-anonymous")  # the per-site quota counts every visitor together
    visitor_runs = anonymous_runs_this_hour(visitor=runner.visitor).count()
    if visitor_runs >= settings.EMBED_RUNS_PER_VISITOR_PER_HOUR:
        raise SubmissionRefused(quota_message(settings.EMBED_RUNS_PER_VISITOR_PER_HOUR), 429)
    if runner.site and (
        anonymous_runs_this_hour(site=runner.site).count() >= settings.EMBED_RUNS_PER_SITE_PER_HOUR
    ):
        message = _(
            "Readers of this site have used its %(limit)d runs for this hour. "
            "Try again later, or sign in on bpflab to run without this limit."
        )
        raise SubmissionRefused(message % {"limit": settings.EMBED_RUNS_PER_SITE_PER_HOUR}, 429)


def anonymous_runs_this_hour(**visitor_or_site: str) -> QuerySet[Submission]:
    """The anonymous submissions of the last hour of one visitor (`visitor=`) or from one
    embedding site (`site=`): what the quotas count, through Submission's partial indexes."""
    hour_ago = timezone.now() - timedelta(hours=1)
    return Submission.objects.filter(user=None, created_at__gte=hour_ago, **visitor_or_site)


def quota_message(limit: int) -> str:
    return _(
        "You have used your %(limit)d runs for this hour without an account. "
        "Try again later, or sign in on bpflab to keep running."
    ) % {"limit": limit}


def _same(snippet: Snippet, source: str, cfg: dict[str, Any]) -> bool:
    return snippet.source == source and snippet.settings == cfg


def share(
    source: str,
    raw_settings: Any,
    author: Any = None,
    parent: Snippet | None = None,
    run: Run | None = None,
    title: str = "",
) -> Snippet:
    """An immutable snippet of this source and settings. Sharing what a snippet already
    holds returns that snippet; anything else is a new one (a fork, when `parent` is set).
    A finished run of exactly this code becomes the snippet's last run."""
    try:
        cfg = playground.parse_settings(raw_settings).to_dict()
    except playground.SettingsError as exc:
        raise SubmissionRefused(str(exc), 400) from None
    check_source(source)
    if parent is not None and _same(parent, source, cfg):
        return parent
    user = author if getattr(author, "is_authenticated", False) else None
    _check_share_limits(user)
    snippet = Snippet.objects.create(
        source=source, settings=cfg, parent=parent, author=user, title=title[:120]
    )
    if run is not None and run.is_free_form:
        submission = run.submission
        if submission.source == source and submission.settings == cfg:
            Submission.objects.filter(pk=submission.pk, snippet=None).update(snippet=snippet)
    return snippet


def _check_share_limits(user: Any) -> None:
    """Snippets are kept for good: a signed-in user shares at most SNIPPETS_PER_HOUR an
    hour; visitors without an account share only where they may run, all of them together
    at most ANONYMOUS_SNIPPETS_PER_HOUR an hour."""
    hour_ago = timezone.now() - timedelta(hours=1)
    if user is not None:
        if Snippet.objects.filter(author=user, created_at__gte=hour_ago).count() >= (
            settings.SNIPPETS_PER_HOUR
        ):
            message = _("You shared %(limit)d snippets in the last hour; try again later.")
            raise SubmissionRefused(message % {"limit": settings.SNIPPETS_PER_HOUR}, 429)
        return
    if not anonymous_runs_allowed():
        raise SubmissionRefused(_("Sign in to share snippets on this site."), 403)
    anonymous = Snippet.objects.filter(author=None, created_at__gte=hour_ago).count()
    if anonymous >= settings.ANONYMOUS_SNIPPETS_PER_HOUR:
        raise SubmissionRefused(
            _("Too many snippets were shared without an account this hour; sign in to share."),
            429,
        )
