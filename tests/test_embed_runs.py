"""Embeds with the test client: the per-page token, anonymous runs only where each run gets
its own VM, quotas per visitor and per embedding site with a clear message, the CORS,
frame-ancestors and oEmbed answers."""

from __future__ import annotations

import json

import pytest

from labs.models import Run, Snippet, Submission

pytestmark = pytest.mark.django_db

PROGRAM = "#include <linux/bpf.h>\nint x;\n"
BLOG = "https://blog.example.org"


def token_for(client, page: str = f"{BLOG}/posts/xdp", address: str = "192.0.2.7") -> dict:
    response = client.get("/embed/token", {"page": page}, HTTP_ORIGIN=BLOG, REMOTE_ADDR=address)
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def run(client, token: str, address: str = "192.0.2.7", source: str = PROGRAM):  # type: ignore[no-untyped-def]
    body = {"source": source, "settings": {"hook": "xdp"}, "page_token": token}
    return client.post(
        "/embed/runs",
        json.dumps(body),
        content_type="application/json",
        HTTP_ORIGIN=BLOG,
        REMOTE_ADDR=address,
    )


@pytest.fixture
def on_microvm(settings):  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "microvm"
    return settings


def test_it_gives_a_page_a_signed_token_and_the_words_of_the_widget(client, on_microvm) -> None:
    info = token_for(client)
    assert info["can_run"] is True and info["why_not"] == ""
    assert info["strings"]["run"] == "Run" and "pkt_access" in info["strings"]["verifier"]
    assert info["playground"].endswith("/playground/")


def test_it_runs_anonymously_and_counts_the_run_for_the_visitor_and_the_site(
    client, on_microvm, django_capture_on_commit_callbacks
) -> None:
    token = token_for(client)["token"]
    with django_capture_on_commit_callbacks(execute=False):
        response = run(client, token)
    assert response.status_code == 201 and response["Access-Control-Allow-Origin"] == "*"
    created = Run.objects.get(token=response.json()["token"])
    submission = created.submission
    assert submission.user is None and submission.via == Submission.EMBED
    assert submission.site == BLOG and submission.visitor and created.backend == "microvm"
    assert response.json()["events"].endswith(f"/api/v1/runs/{created.token}/events")


def test_it_refuses_a_run_without_a_valid_page_token(client, on_microvm) -> None:
    token = token_for(client, address="192.0.2.7")["token"]
    missing = run(client, "")
    forged = run(client, token + "x")
    someone_else = run(client, token, address="198.51.100.9")
    for response in (missing, forged, someone_else):
        assert response.status_code == 403 and "reload" in response.json()["error"]
    assert not Run.objects.exists()


def test_it_says_clearly_when_a_visitor_used_their_runs(client, on_microvm) -> None:
    on_microvm.EMBED_RUNS_PER_VISITOR_PER_HOUR = 2
    token = token_for(client)["token"]
    assert [run(client, token).status_code for _ in range(2)] == [201, 201]

    refused = run(client, token)
    assert refused.status_code == 429
    assert "used your 2 runs for this hour" in refused.json()["error"]
    other_visitor = token_for(client, address="203.0.113.5")["token"]
    assert run(client, other_visitor, address="203.0.113.5").status_code == 201


def test_it_limits_all_readers_of_one_site_together(client, on_microvm) -> None:
    on_microvm.EMBED_RUNS_PER_SITE_PER_HOUR = 2
    for address in ("192.0.2.1", "192.0.2.2"):
        assert run(client, token_for(client, address=address)["token"], address).status_code == 201
    third = "192.0.2.3"
    refused = run(client, token_for(client, address=third)["token"], third)
    assert refused.status_code == 429 and "Readers of this site" in refused.json()["error"]


def test_it_needs_an_account_on_a_site_that_shares_its_kernel_and_says_why(
    client, settings
) -> None:
    settings.SANDBOX_BACKEND = "local"
    info = token_for(client)
    assert info["can_run"] is False and "kernel it shares" in info["why_not"]
    refused = run(client, info["token"])
    assert refused.status_code == 403 and "kernel it shares" in refused.json()["error"]


def test_it_answers_a_cors_preflight(client) -> None:
    response = client.options("/embed/runs", HTTP_ORIGIN=BLOG)
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_it_lets_any_site_frame_a_permalink_as_the_csp_says(client, settings) -> None:
    snippet = Snippet.objects.create(source=PROGRAM, settings={"hook": "tc", "seeds": []})
    frame = client.get(f"/embed/p/{snippet.slug}")
    assert frame.status_code == 200 and "X-Frame-Options" not in frame
    assert frame["Content-Security-Policy"] == "frame-ancestors *"
    html = frame.content.decode()
    assert "data-bpflab" in html and "#include &lt;linux/bpf.h&gt;" in html
    assert "/static/bundle/embed.js" in html
    settings.EMBED_FRAME_ANCESTORS = ["https://blog.example.org"]
    frame = client.get(f"/embed/p/{snippet.slug}")
    assert frame["Content-Security-Policy"] == "frame-ancestors https://blog.example.org"
    assert client.get("/playground/")["X-Frame-Options"] == "DENY", "other pages stay unframed"


def test_it_describes_a_permalink_for_blog_engines_with_oembed(client) -> None:
    snippet = Snippet.objects.create(source=PROGRAM, settings={"hook": "xdp", "seeds": []})
    url = f"http://testserver/p/{snippet.slug}"
    data = client.get("/oembed", {"url": url, "maxwidth": "600"}).json()
    assert data["version"] == "1.0" and data["type"] == "rich" and data["width"] == 600
    assert f'src="http://testserver/embed/p/{snippet.slug}"' in data["html"]
    page = client.get(f"/p/{snippet.slug}").content.decode()
    assert 'type="application/json+oembed"' in page and "/oembed?url=" in page
    assert client.get("/oembed", {"url": "http://testserver/p/nosuch"}).status_code == 404


def test_it_frames_any_code_and_opens_it_in_the_playground(client) -> None:
    frame = client.get("/embed/frame", {"code": "int y;", "hook": "socket"}).content.decode()
    assert "int y;" in frame and "&quot;hook&quot;: &quot;socket&quot;" in frame
    page = client.get("/playground/", {"code": "int z;", "settings": '{"hook": "tc"}'})
    html = page.content.decode()
    assert "int z;" in html and '<option value="tc" selected>' in html


def test_it_counts_visitors_by_the_address_the_trusted_proxy_saw(client, on_microvm) -> None:
    on_microvm.FORWARDED_FOR_HOPS = 1
    on_microvm.EMBED_RUNS_PER_VISITOR_PER_HOUR = 1
    proxy = "127.0.0.1"

    def via_proxy(forwarded: str):  # type: ignore[no-untyped-def]
        token = client.get(
            "/embed/token", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=proxy
        ).json()["token"]
        body = {"source": PROGRAM, "settings": {}, "page_token": token}
        return client.post(
            "/embed/runs",
            json.dumps(body),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=forwarded,
            REMOTE_ADDR=proxy,
        )

    assert via_proxy("192.0.2.10").status_code == 201
    # a client may prepend a made-up address; the proxy appends the real one
    assert via_proxy("203.0.113.99, 192.0.2.10").status_code == 429
    assert via_proxy("192.0.2.11").status_code == 201
