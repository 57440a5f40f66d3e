from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_it_reports_every_part_ok_on_the_live_stack(live_stack):
    status, parts = get_json(f"{live_stack.http_url}/healthz")
    assert set(parts) == {"database", "redis", "celery", "sandbox", "kernels"}
    assert all(part["ok"] for part in parts.values()), parts
    assert status == 200
    assert live_stack.worker_name in parts["celery"]["detail"]


def test_it_answers_503_and_says_why_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    redis_part = response.json()["redis"]
    assert redis_part["ok"] is False
    assert "Connection" in redis_part["detail"] or "refused" in redis_part["detail"]
