"""The HTTP API with the test client: tokens (made on their page, stored hashed, shown once,
revocable, each with its own limits), creating a free-form run, reading it back."""

from __future__ import annotations

import json
import re

import pytest

from labs.models import ApiToken, Run, Submission
from labs.runner import execute_run

pytestmark = pytest.mark.django_db

PROGRAM = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
"""


def post_run(client, key: str | None, body: dict | str):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/runs", data, content_type="application/json", **headers)


def test_it_makes_a_token_shows_its_key_once_and_stores_only_a_hash(client, learner) -> None:
    client.force_login(learner)
    response = client.post("/api/tokens/new/", {"name": "my blog"})
    html = response.content.decode()
    token = ApiToken.objects.get()
    key = html.split("<code>bpfl_", 1)[1].split("</code>", 1)[0]
    assert response.status_code == 201 and token.name == "my blog"
    assert key not in token.key_hash and ApiToken.for_key("bpfl_" + key) == token
    assert "bpfl_" + key not in client.get("/api/tokens/").content.decode()


def test_it_refuses_a_request_without_a_valid_token(client, learner) -> None:
    _token, key = ApiToken.issue(learner, "t")
    assert post_run(client, None, {"source": PROGRAM}).status_code == 401
    assert post_run(client, key + "x", {"source": PROGRAM}).status_code == 401
    client.force_login(learner)  # a session is not a token
    assert post_run(client, None, {"source": PROGRAM}).status_code == 401


def test_it_creates_a_free_form_run_and_returns_its_verdict_once_done(client, learner) -> None:
    _token, key = ApiToken.issue(learner, "t")
    body = {"source": PROGRAM, "settings": {"hook": "xdp", "repeat": 2}}
    response = post_run(client, key, body)
    data = response.json()
    assert response.status_code == 201 and data["status"] == "queued"
    assert data["links"]["events"].endswith(f"/api/v1/runs/{data['token']}/events")
    run = Run.objects.get(token=data["token"])
    assert run.submission.via == Submission.API and run.submission.user == learner
    assert run.submission.lab is None and run.submission.settings["repeat"] == 2

    execute_run(run.pk)

    detail = client.get(data["links"]["self"], HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert detail["finished"] and detail["status"] == "done"
    assert detail["verdict"]["packets"][0]["action"] == "XDP_PASS"


def test_it_answers_bad_input_with_a_sentence_and_a_status(client, learner) -> None:
    _token, key = ApiToken.issue(learner, "t")
    assert post_run(client, key, "not json").json() == {"error": "The body must be JSON."}
    bad_hook = post_run(client, key, {"source": PROGRAM, "settings": {"hook": "uprobe"}})
    assert bad_hook.status_code == 400 and "Unknown hook" in bad_hook.json()["error"]
    assert post_run(client, key, {"source": " "}).status_code == 400


def test_it_keeps_each_tokens_own_limits(client, learner) -> None:
    first, first_key = ApiToken.issue(learner, "a")
    _second, second_key = ApiToken.issue(learner, "b")
    ApiToken.objects.filter(pk=first.pk).update(runs_per_minute=1, max_concurrent=5)

    assert post_run(client, first_key, {"source": PROGRAM}).status_code == 201
    refused = post_run(client, first_key, {"source": PROGRAM})
    assert refused.status_code == 429 and "limit 1" in refused.json()["error"]
    assert post_run(client, second_key, {"source": PROGRAM}).status_code == 201


def test_it_refuses_a_revoked_token(client, learner) -> None:
    token, key = ApiToken.issue(learner, "t")
    client.force_login(learner)
    client.post(f"/api/tokens/{token.pk}/revoke/")
    assert post_run(client, key, {"source": PROGRAM}).status_code == 401


def test_it_shows_a_run_only_to_who_may_see_it(client, learner, outsider) -> None:
    _token, key = ApiToken.issue(learner, "t")
    _other, other_key = ApiToken.issue(outsider, "t")
    data = post_run(client, key, {"source": PROGRAM}).json()
    assert (
        client.get(data["links"]["self"], HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code
        == 404
    )


def test_it_serves_the_api_docs_with_this_sites_address(client) -> None:
    html = client.get("/api/").content.decode()
    text = re.sub(r"<[^>]+>", "", html)  # code blocks are highlighted span by span
    assert "/api/v1/runs" in text and "http://testserver" in text
