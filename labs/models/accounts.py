"""What an account remembers about its owner beyond Django's user: the interface language."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # A code from settings.LANGUAGES ("en", "zh-hans"); empty until the owner picks one.
    language = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"
