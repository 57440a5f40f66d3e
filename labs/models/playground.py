"""Free-form runs: permalinked snippets and the API tokens tutorial sites and tools run with.

A playground run is an ordinary Submission + Run whose submission has no lab and carries its
settings (hook, packets, trigger, fixtures) as data; a Snippet is the immutable, shareable
source + settings a permalink (`/p/<slug>`) names."""

from __future__ import annotations

import hashlib
import secrets
import string

from django.conf import settings as conf
from django.db import models

SLUG_ALPHABET = string.ascii_letters + string.digits
SLUG_LENGTH = 8


def new_snippet_slug() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


class ImmutableError(RuntimeError):
    """A snippet is never changed once saved: editing one makes a new one (a fork)."""


class Snippet(models.Model):
    slug = models.CharField(max_length=16, unique=True, default=new_snippet_slug)
    source = models.TextField()
    settings = models.JSONField(default=dict)
    # The snippet this one was forked from, if any (editing a permalink and sharing again).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    author = models.ForeignKey(
        conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.slug

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ImmutableError(f"snippet {self.slug} is immutable; fork it instead")
        super().save(*args, **kwargs)

    def last_run(self):  # type: ignore[no-untyped-def]
        """The newest finished run of exactly this snippet, or None."""
        from labs.models.learning import Run

        return (
            Run.objects.filter(submission__snippet=self, status__in=Run.FINISHED)
            .order_by("-created_at")
            .first()
        )


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A user's key for the HTTP API (docs/api.md). Only its hash is stored; the key is
    shown once, when it is made. Each token has its own run limits."""

    PREFIX = "bpfl_"

    user = models.ForeignKey(
        conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the key, so its owner can tell tokens apart.
    hint = models.CharField(max_length=16)
    runs_per_minute = models.PositiveIntegerField()
    max_concurrent = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:  # type: ignore[no-untyped-def]
        """A new token and its key (the only time the key exists in clear)."""
        key = cls.PREFIX + secrets.token_urlsafe(30)
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=hash_api_key(key),
            hint=key[: len(cls.PREFIX) + 6],
            runs_per_minute=conf.API_RUNS_PER_MINUTE,
            max_concurrent=conf.API_MAX_CONCURRENT_RUNS,
        )
        return token, key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def for_key(cls, key: str) -> ApiToken | None:
        """The active token with this key (of an active user), or None."""
        if not key.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.select_related("user")
            .filter(key_hash=hash_api_key(key), revoked_at=None)
            .first()
        )
        return token if token is not None and token.user.is_active else None
