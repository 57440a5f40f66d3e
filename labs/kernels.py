"""Which microVM kernel a run gets: the kernels this site offers, and the default for a
learner on a lab.

A site offers every kernel whose image built (sandbox/image.py), or those of them
BPFLAB_KERNELS lists; only the microvm backend has a choice (local and docker run on the
host's kernel: a run's `kernel` is then empty). The default kernel of a run, first that
applies: the learner's cohort's (its instructor sets it), the lab's (`default_kernel` in
lab.yaml), the site's (BPFLAB_DEFAULT_KERNEL, else the lock's default, Debian 12's 6.1).
A lab's `min_kernel` raises any default below it to the oldest offered kernel that has it;
its `max_kernel` (a hooked function renamed in later kernels) lowers one above it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from sandbox import kernels as locked
from sandbox.kernels import version_key

ALL = "all"  # Run.kernel of a run on every offered kernel


def at_least(name: str, minimum: str) -> bool:
    """Whether kernel `name` is `minimum` or newer ("" is no minimum)."""
    return not minimum or version_key(name) >= version_key(minimum)


def fits(name: str, minimum: str, maximum: str = "") -> bool:
    """Whether kernel `name` is one a lab is meant for: from `minimum` to `maximum` ("":
    no bound on that side)."""
    return at_least(name, minimum) and (not maximum or version_key(name) <= version_key(maximum))


def offered() -> list[str]:
    """The kernels a run may pick, oldest first; empty when the backend has no choice."""
    if settings.SANDBOX_BACKEND != "microvm":
        return []
    from sandbox.image import built_kernels

    built = list(built_kernels())
    wanted = settings.SANDBOX_KERNELS
    return [name for name in built if not wanted or name in wanted]


def releases() -> dict[str, str]:
    """{"6.12": "6.12.118+deb13-cloud-amd64", ...} for the offered kernels."""
    from sandbox.image import built_kernels

    images = built_kernels()
    return {name: images[name].kernel_release for name in offered() if name in images}


def site_default(names: list[str] | None = None) -> str:
    names = offered() if names is None else names
    if not names:
        return ""
    for candidate in (settings.SANDBOX_DEFAULT_KERNEL, locked.default_kernel_name()):
        if candidate in names:
            return candidate
    return names[0]


def cohort_default(user: Any) -> str:
    """The default kernel of the learner's most recently joined cohort that set one."""
    if not getattr(user, "is_authenticated", False):
        return ""
    from labs.models import Membership

    membership = (
        Membership.objects.filter(user=user)
        .exclude(cohort__default_kernel="")
        .select_related("cohort")
        .order_by("-joined_at")
        .first()
    )
    return membership.cohort.default_kernel if membership else ""


def default_for(user: Any, lab: Any, names: list[str] | None = None) -> str:
    """The kernel a run of `lab` by `user` gets when they pick none ("" without a choice)."""
    names = offered() if names is None else names
    if not names:
        return ""
    minimum, maximum = getattr(lab, "min_kernel", ""), getattr(lab, "max_kernel", "")
    for candidate in (
        cohort_default(user),
        getattr(lab, "default_kernel", ""),
        site_default(names),
    ):
        if candidate in names and fits(candidate, minimum, maximum):
            return candidate
    return next((name for name in names if fits(name, minimum, maximum)), names[-1])


def choose(user: Any, lab: Any, asked: str | None) -> str:
    """The kernel for a new run: the one asked for when offered (or ALL), else the default.

    Raises ValueError for a kernel the site does not offer."""
    names = offered()
    if not names:
        return ""
    if not asked:
        return default_for(user, lab, names)
    if asked != ALL and asked not in names:
        raise ValueError(asked)
    return asked


def for_run(run_kernel: str) -> list[str]:
    """The kernels a run runs on: one, or every offered one for ALL."""
    if run_kernel == ALL:
        return offered()
    return [run_kernel] if run_kernel else []
