"""The playground's pages: run free-form code (no lab, no progress), see the run, share it as
an immutable permalink that shows its code and last run, fork it by editing, and open a
lab's code in the playground."""

from __future__ import annotations

import pytest

from labs.models import Progress, Run, Snippet, Submission
from labs.models.playground import ImmutableError
from labs.runner import execute_run
from tests.builders import make_lab

pytestmark = pytest.mark.django_db

PROGRAM = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int drop(struct xdp_md *ctx) { return XDP_DROP; }
char LICENSE[] SEC("license") = "GPL";
"""
FORM = {"source": PROGRAM, "hook": "xdp", "packet-0-kind": "udp", "packet-0-dport": "53"}


def test_it_shows_the_playground_to_everyone_with_a_starter_program(client) -> None:
    response = client.get("/playground/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "SEC(&quot;xdp&quot;)" in html and 'name="packet-0-kind"' in html


def test_it_runs_free_form_code_without_a_lab_and_records_no_progress(
    client, learner, django_capture_on_commit_callbacks
) -> None:
    client.force_login(learner)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/playground/run/", FORM)
    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/playground/runs/{run.token}/"
    submission = run.submission
    assert submission.lab is None and submission.user == learner
    assert submission.via == Submission.PLAYGROUND
    assert submission.settings["packets"][0]["fields"]["udp"]["dport"] == 53

    execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is None
    assert run.verdict["packets"][0]["action"] == "XDP_DROP"
    assert not Progress.objects.exists()
    page = client.get(f"/playground/runs/{run.token}/").content.decode()
    assert "XDP_DROP" in page and "Ran" in page
    mine = client.get("/playground/").content.decode()
    assert f'data-run-token="{run.token}"' in mine, "the user's recent runs are listed"


def test_it_sends_a_playground_run_opened_at_the_lab_run_url_to_its_page(client, learner):
    client.force_login(learner)
    client.post("/playground/run/", FORM)
    run = Run.objects.get()
    assert client.get(f"/runs/{run.token}/")["Location"] == f"/playground/runs/{run.token}/"


def test_it_shares_an_immutable_permalink_that_shows_the_code_and_its_last_run(
    client, learner, outsider
) -> None:
    client.force_login(learner)
    client.post("/playground/run/", FORM)
    run = Run.objects.get()
    execute_run(run.pk)

    response = client.post("/playground/share/", {**FORM, "run": run.token})
    snippet = Snippet.objects.get()
    assert response["Location"] == f"/p/{snippet.slug}" and len(snippet.slug) == 8
    assert snippet.source == PROGRAM and snippet.author == learner
    assert snippet.last_run() == run

    client.force_login(outsider)  # anyone with the link sees it, run included
    page = client.get(f"/p/{snippet.slug}").content.decode()
    assert "XDP_DROP" in page and f'data-run="{run.token}"' in page
    snippet.source = "changed"
    with pytest.raises(ImmutableError):
        snippet.save()


def test_it_forks_a_snippet_when_its_code_is_edited_and_shared_again(client, learner) -> None:
    client.force_login(learner)
    client.post("/playground/share/", FORM)
    original = Snippet.objects.get()
    same = client.post("/playground/share/", {**FORM, "snippet": original.slug})
    assert same["Location"] == f"/p/{original.slug}", "unchanged code keeps its link"

    edited = PROGRAM.replace("XDP_DROP", "XDP_PASS")
    fork = client.post("/playground/share/", {**FORM, "source": edited, "snippet": original.slug})

    child = Snippet.objects.exclude(pk=original.pk).get()
    assert fork["Location"] == f"/p/{child.slug}"
    assert child.parent == original and child.source == edited
    original.refresh_from_db()
    assert original.source == PROGRAM
    assert "Forked from" in client.get(f"/p/{child.slug}").content.decode()


def test_it_links_a_run_of_an_unchanged_snippet_to_it(client, learner) -> None:
    client.force_login(learner)
    client.post("/playground/share/", FORM)
    snippet = Snippet.objects.get()
    client.post("/playground/run/", {**FORM, "snippet": snippet.slug})
    client.post("/playground/run/", {**FORM, "source": PROGRAM + "\n", "snippet": snippet.slug})

    linked, edited = Submission.objects.order_by("created_at")
    assert linked.snippet == snippet and linked.via == Submission.PERMALINK
    assert edited.snippet is None


def test_it_opens_a_labs_code_with_its_packets_in_the_playground(client, content) -> None:
    response = client.post(
        "/playground/open/", {"lab": "xdp-drop-udp-port", "source": "// my attempt\n"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "// my attempt" in html and "xdp-drop-udp-port" in html
    assert 'value="9999"' in html, "the lab's packet to port 9999 is in the packet builder"


def test_it_offers_open_in_playground_on_every_lab_page(client) -> None:
    make_lab()
    html = client.get("/labs/hello-printk/").content.decode()
    assert 'data-testid="open-in-playground"' in html and 'formaction="/playground/open/"' in html


def test_it_tells_a_visitor_why_running_needs_an_account_on_a_shared_kernel(
    client, settings
) -> None:
    settings.SANDBOX_BACKEND = "local"
    page = client.get("/playground/").content.decode()
    assert 'data-testid="why-account"' in page and "kernel it shares" in page

    response = client.post("/playground/run/", FORM)
    assert response.status_code == 403 and "kernel it shares" in response.content.decode()
    assert not Run.objects.exists()


def test_it_lets_a_visitor_run_without_an_account_where_every_run_gets_its_own_vm(
    client, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SANDBOX_BACKEND = "microvm"
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/playground/run/", FORM)
    run = Run.objects.get()
    assert response.status_code == 302 and run.submission.user is None
    assert run.backend == "microvm" and run.submission.visitor
    assert client.get(f"/playground/runs/{run.token}/").status_code == 200


def test_it_speaks_the_readers_language(client, learner) -> None:
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/playground/").content.decode()
    assert "练习场" in html and "实时流量模式" in html


def test_it_limits_how_many_snippets_are_shared(client, learner, settings) -> None:
    settings.SNIPPETS_PER_HOUR = 1
    client.force_login(learner)
    client.post("/playground/share/", FORM)
    refused = client.post("/playground/share/", {**FORM, "source": PROGRAM + "// 2\n"})
    assert refused.status_code == 429 and "1 snippets in the last hour" in refused.content.decode()
    assert Snippet.objects.count() == 1


def test_it_lets_visitors_share_only_where_they_may_run(client, settings) -> None:
    settings.SANDBOX_BACKEND = "local"
    assert client.post("/playground/share/", FORM).status_code == 403
    settings.SANDBOX_BACKEND = "microvm"
    settings.ANONYMOUS_SNIPPETS_PER_HOUR = 1
    assert client.post("/playground/share/", FORM).status_code == 302
    assert client.post("/playground/share/", {**FORM, "repeat": "2"}).status_code == 429


def test_it_offers_a_kernel_choice_where_several_are_offered(
    client, learner, settings, django_capture_on_commit_callbacks
) -> None:
    from labs import kernels

    settings.SANDBOX_BACKEND = "microvm"
    offered = kernels.offered()
    if len(offered) < 2:
        pytest.skip("fewer than two microVM kernels are built here")
    client.force_login(learner)
    html = client.get("/playground/").content.decode()
    assert 'name="kernel"' in html and f'value="{offered[-1]}"' in html

    with django_capture_on_commit_callbacks(execute=False):
        client.post("/playground/run/", {**FORM, "kernel": offered[-1]})
    run = Run.objects.get()
    assert run.kernel == offered[-1] and run.submission.settings["kernel"] == offered[-1]
    refused = client.post("/playground/run/", {**FORM, "kernel": "2.6"})
    assert refused.status_code == 400 and "offers no kernel" in refused.content.decode()


def test_it_shows_no_kernel_choice_on_the_host_kernel(client, settings) -> None:
    settings.SANDBOX_BACKEND = "local"
    assert 'name="kernel"' not in client.get("/playground/").content.decode()
