"""Every page of the site in Simplified Chinese, for a learner and for an instructor (and for
a visitor), has no English words outside code, identifiers and a short allow-list. Every
page URL of the site must be visited here, so a new page cannot slip past this test."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from labs.models import CohortPlan, Lab
from tests.builders import make_demo_site

pytestmark = pytest.mark.django_db

GLOSSARY = Path(__file__).resolve().parent.parent / "docs" / "glossary.md"
# Proper names, units and terms a Chinese page writes in Latin letters: the glossary's list.
KEPT_SECTION = GLOSSARY.read_text(encoding="utf-8").split("## Kept in Latin letters")[1]
ALLOWED = {word.lower() for word in re.findall(r"`([^`]+)`", KEPT_SECTION)}
ALLOWED |= {"alice", "ingrid"}  # the personas' user names
# Code and data: not prose, never translated.
SKIPPED_TAGS = {"code", "pre", "kbd", "script", "style", "textarea", "samp", "var"}
CHECKED_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def english_words(text: str) -> list[str]:
    """Latin-letter words that read as English prose: not identifiers (snake_case, dotted,
    with digits, ALLCAPS, camelCase) and not on the allow-list."""
    found = []
    text = re.sub(r"%\(\w+\)\d*[sd]|\$|\S+://\S+", " ", text)  # placeholders, addresses
    # A term's original given once in parentheses after the Chinese: 映射（map）.
    text = re.sub(r"（[A-Za-z][A-Za-z /-]*）", " ", text)
    # A chunk with ASCII code punctuation is code quoted in a sentence: __type(key, ...);
    text = " ".join(chunk for chunk in text.split() if not re.search(r'[(){};="\[\]]', chunk))
    for token in re.split(r"[\s,;:()\[\]{}\"“”‘’!?。，、：；（）《》「」·…→←/]+", text):
        if not token or re.search(r"[\d_.@/<>=#$%*+\\|-]", token.strip("-")):
            continue
        for word in WORD.findall(token):
            identifier = word.isupper() or re.search(r"[a-z][A-Z]", word)
            if identifier or len(word) == 1 or word.lower() in ALLOWED:
                continue
            found.append(word)
    return found


class ProseCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.prose: list[str] = []
        self.json_blobs: list[str] = []
        self.in_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") == "application/json":
            self.in_json = True
        # A passage marked as English (lang="en") says so to readers and screen readers.
        if tag in SKIPPED_TAGS or (attributes.get("lang") == "en" and tag != "html"):
            self.skipping.append(tag)
        if self.skipping or tag in ("link", "meta"):
            return
        for name in CHECKED_ATTRIBUTES & set(attributes):
            self.prose.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.prose.append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_json = False
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if self.in_json:
            self.json_blobs.append(data)
        elif not self.skipping:
            self.prose.append(data)


def json_texts(value: object, path: str = "") -> list[str]:
    """The human texts in the page's JSON: every string value, except regex sources."""
    if isinstance(value, dict):
        return [t for k, v in value.items() if k != "verifier_patterns" for t in json_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in json_texts(v)]
    return [value] if isinstance(value, str) and not value.startswith("/") else []


def english_on(body: str, content_type: str) -> list[str]:
    if content_type.startswith("text/csv"):
        return [
            w for row in csv.reader(io.StringIO(body)) for cell in row for w in english_words(cell)
        ]
    if content_type.startswith("image/svg"):
        texts = re.findall(r">([^<>]+)<", body)
        return [w for text in texts for w in english_words(text)]
    collector = ProseCollector()
    collector.feed(body)
    texts = collector.prose
    for blob in collector.json_blobs:
        texts += json_texts(json.loads(blob))
    return [w for text in texts for w in english_words(text)]


# ------------------------------------------------------------------ the site's data


@pytest.fixture
def site(content, learner):  # type: ignore[no-untyped-def]
    return make_demo_site(learner)


def chinese_client(user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    return client


def learner_pages(site) -> list[str]:  # type: ignore[no-untyped-def]
    run, slug = site["failed"], site["hello"].slug
    return [
        "/",
        f"/labs/{slug}/",
        "/labs/map-array-counter/",
        f"/labs/{slug}/history/",
        f"/runs/{run.token}/",
        f"/runs/{run.token}/diff/",
        f"/runs/{site['passed'].token}/diff/",
        "/plans/",
        f"/plans/{site['plan'].slug}/",
        "/plans/mine/",
        "/accounts/password_change/",
        "/accounts/password_change/done/",
        "/classroom/",
        "/classroom/join/",
        f"/classroom/join/{site['cohort'].join_code}/",
        "/labs/no-such-lab/",
    ]


def instructor_pages(site) -> list[str]:  # type: ignore[no-untyped-def]
    base = f"/classroom/cohorts/{site['cohort'].pk}"
    return [
        "/classroom/",
        f"{base}/",
        f"{base}/?sort=lab:hello-printk&dir=desc",
        f"{base}/grid.csv",
        f"{base}/plan/",
        f"{base}/charts/pass-rate.svg",
        f"{base}/charts/attempts.svg",
        f"{base}/labs/hello-printk/",
        f"{base}/learners/{site['learner'].pk}/",
        f"{base}/runs/{site['failed'].pk}/",
        *authoring_pages(site),
    ]


def authoring_pages(site) -> list[str]:  # type: ignore[no-untyped-def]
    """The instructor's own lab: its editor and a self-check still on the queue."""
    from labs import authoring
    from tests.builders import authored_files

    files = authored_files("course-hello", base="hello-printk")
    authored = authoring.create(site["instructor"], "course-hello", files)
    version = authoring.start_self_check(authored, site["instructor"], "zh-hans")
    return [
        "/authoring/",
        "/authoring/course-hello/",
        f"/authoring/course-hello/self-check/{version.pk}/",
    ]


VISITOR_PAGES = [
    "/",
    "/labs/hello-printk/",
    "/plans/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password_reset/",
    "/accounts/password_reset/done/",
    "/accounts/reset/MQ/set-password/",
    "/accounts/reset/done/",
    "/nowhere/",
]


def assert_no_english(client: Client, paths: list[str]) -> None:
    leaks = english_leaks(client, paths)
    assert not leaks, "English on zh-hans pages:\n" + json.dumps(
        leaks, ensure_ascii=False, indent=1
    )


def english_leaks(client: Client, paths: list[str]) -> dict[str, list[str]]:
    leaks = {}
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code in (200, 403, 404), path
        body = response.content.decode()
        words = english_on(body, response.get("Content-Type", ""))
        words = [w for w in words if w not in path]  # a random slug in the address
        if words:
            leaks[path] = sorted(set(words))
    return leaks


def playground_pages(client: Client) -> list[str]:
    """The playground's pages, after a run and a share made through the site itself."""
    source = "#include <linux/bpf.h>\nint x;\n"
    run = client.post("/playground/run/", {"source": source, "hook": "xdp"})["Location"]
    shared = client.post("/playground/share/", {"source": source, "hook": "xdp"})["Location"]
    slug = shared.rstrip("/").rsplit("/", 1)[-1]
    return [
        "/playground/",
        run,
        shared,
        f"/embed/p/{slug}",
        "/embed/frame",
        "/api/",
        "/api/tokens/",
    ]


def test_it_says_nothing_in_english_to_a_learner(site):
    client = chinese_client(site["learner"])
    assert_no_english(client, learner_pages(site) + playground_pages(client))


def test_it_says_nothing_in_english_to_an_instructor(site):
    assert_no_english(chinese_client(site["instructor"]), instructor_pages(site))


def test_it_says_nothing_in_english_to_a_visitor(site, settings):
    settings.MAIL_CONFIGURED = True
    assert_no_english(chinese_client(), VISITOR_PAGES)
    settings.MAIL_CONFIGURED = False
    assert_no_english(chinese_client(), ["/accounts/password_reset/"])


def test_it_refuses_past_due_dates_in_chinese(site):
    client = chinese_client(site["instructor"])
    cohort, plan = site["cohort"], site["plan"]
    CohortPlan.objects.filter(cohort=cohort).delete()
    stage = Lab.objects.get(slug=plan.lab_slugs[0]).stage.slug
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        f"/classroom/cohorts/{cohort.pk}/plan/", {"plan": plan.slug, f"due_{stage}": yesterday}
    )
    assert response.status_code == 200 and not CohortPlan.objects.filter(cohort=cohort).exists()
    assert english_on(response.content.decode(), "text/html") == []


# Pages that are not pages: endpoints that only take a POST, the admin, the websockets.
NOT_PAGES = {
    "lab-draft",
    "lab-reset",
    "lab-run",
    "set_language",
    "logout",
    "healthz",
    "create",
    "start",
    "password_reset_confirm",
    "cohort_kernel",
    # the playground's and the API's endpoints (POST, JSON or script, not pages)
    "playground-open",
    "playground-run-program",
    "playground-share",
    "playground-stop",
    "api-runs",
    "api-run",
    "api-run-events",
    "api-token-create",
    "api-token-revoke",
    "embed-token",
    "embed-runs",
    "embed-script",
    "oembed",
    # authoring (labs an instructor writes): forms' targets and the archive download
    "validate",
    "self_check",
    "publish",
    "regrade",
    "sharing",
    "promote",
    "upload",
    "download",
}


def page_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=""):  # type: ignore[no-untyped-def]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or str(pattern.pattern).startswith("admin"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names - NOT_PAGES


def test_it_visits_every_page_of_the_site(site):
    playground = playground_pages(chinese_client(site["learner"]))
    visited = learner_pages(site) + instructor_pages(site) + VISITOR_PAGES + playground
    seen = set()
    for path in visited:
        try:
            seen.add(resolve(path.split("?")[0]).url_name)
        except Exception:  # noqa: BLE001 - the 404 examples resolve to nothing
            continue
    assert page_names() - seen == set(), "add the new page to this test's lists"


def test_it_finds_english_where_there_is_some():
    html = '<p>已通过 <code>not_translated()</code> Passed <span title="Sort by">x</span></p>'
    assert english_on(html, "text/html") == ["Passed", "Sort", "by"]
    assert english_words("XDP_DROP IPv4 pkt_count eBPF 映射 map") == ["map"]
