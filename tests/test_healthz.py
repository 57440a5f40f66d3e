"""GET /healthz: ok or not per part, and the kernels a run may pick, for anyone; what is
wrong (addresses, worker names, exception text) only for staff."""

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


def get_json_as(url: str, user) -> dict:  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.load(response)


def test_it_reports_every_part_ok_on_the_live_stack(live_stack, django_user_model):
    status, parts = get_json(f"{live_stack.http_url}/healthz")
    assert parts == {
        "database": {"ok": True},
        "redis": {"ok": True},
        "celery": {"ok": True},
        "sandbox": {"ok": True},
        "kernels": {"ok": True, "offered": []},  # the live stack runs the local backend
    }
    assert status == 200
    staff = django_user_model.objects.create_user("sam", "sam@example.org", "x", is_staff=True)
    detailed = get_json_as(f"{live_stack.http_url}/healthz", staff)
    assert live_stack.worker_name in detailed["celery"]["detail"]


def test_it_answers_503_to_anyone_without_saying_where_redis_is(client, learner, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    for who in (None, learner):
        if who is not None:
            client.force_login(who)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["redis"] == {"ok": False}
        assert "127.0.0.1" not in response.content.decode()


def test_it_tells_staff_what_is_wrong(client, django_user_model, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    staff = django_user_model.objects.create_user("sam", "sam@example.org", "x", is_staff=True)
    client.force_login(staff)
    redis_part = client.get("/healthz").json()["redis"]
    assert redis_part["ok"] is False
    assert "Connection" in redis_part["detail"] or "refused" in redis_part["detail"]
