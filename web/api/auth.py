"""API tokens: `Authorization: Bearer <key>` names a user and the token's own limits."""

from __future__ import annotations

from typing import Any

from labs.models import ApiToken

SCHEME = "bearer "


def key_from_headers(headers: dict[str, str] | Any) -> str:
    value = str(headers.get("Authorization", "") or headers.get("authorization", ""))
    return value[len(SCHEME) :].strip() if value.lower().startswith(SCHEME) else ""


def token_for_key(key: str) -> ApiToken | None:
    """The active token with this key, or None."""
    return ApiToken.for_key(key)
