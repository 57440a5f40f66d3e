"""The words the instructor's pages say for the data labs.classroom and labs.plans compute
(failure kinds, run states, pace; the verifier's kinds have their words in labs.verifier), in the reader's language. The
domain keeps keys; only this edge turns them into words."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FAILURE_LABELS = {
    "compile": gettext_lazy("did not compile"),
    "load": gettext_lazy("did not load"),
    "verifier": gettext_lazy("rejected by the verifier"),
    "checks": gettext_lazy("failed checks"),
    "platform": gettext_lazy("platform error"),
}

RUN_STATUS_LABELS = {
    "queued": gettext_lazy("queued"),
    "compiling": gettext_lazy("compiling"),
    "running": gettext_lazy("checking"),
    "done": gettext_lazy("finished"),
    "error": gettext_lazy("platform error"),
}

PACE_LABELS = {
    "ahead": gettext_lazy("ahead"),
    "on_track": gettext_lazy("on track"),
    "behind": gettext_lazy("behind"),
    "done": gettext_lazy("done"),
}

PROGRESS_LABELS = {
    "not_started": gettext_lazy("not started"),
    "attempted": gettext_lazy("attempted"),
    "passed": gettext_lazy("passed"),
}


def label(table: dict[str, object], key: str | None, fallback: str = "") -> str:
    """The word for `key`; a key this table does not know yet shows as its fallback."""
    return str(table.get(key or "", fallback or key or ""))


def run_outcome(status: str, passed: bool, failure: str | None) -> str:
    """One phrase for a run, the same on every instructor page and in the live feed."""
    if status == "done" and passed:
        return _("passed")
    if failure:
        return label(FAILURE_LABELS, failure)
    return label(RUN_STATUS_LABELS, status)


def duration(value: timedelta | None) -> str:
    """Time to pass, short: under a minute, 7 min, 3 h 05 min, 2 d 04 h."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:  # passed within a minute of the first attempt: not "0 min"
        return _("under a minute")
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(days)s d %(hours)02d h") % {"days": hours // 24, "hours": hours % 24}


def feed_strings(titles: dict[str, str]) -> dict[str, object]:
    """What the dashboard's live feed script says, in the reader's language; `titles` are
    the labs' (slug -> title), as the feed's events carry the worker's language."""
    return {
        "titles": titles,
        "outcomes": {
            "passed": _("passed"),
            **{k: str(v) for k, v in FAILURE_LABELS.items()},
            **{f"status:{k}": str(v) for k, v in RUN_STATUS_LABELS.items()},
        },
        "live": _("live"),
        "connecting": _("connecting"),
        "reconnecting": _("reconnecting"),
    }
