"""The API reference page (/api/) in the reader's language: docs/api.zh-hans.md on a
zh-hans page, docs/api.md on an English one, and the English one, marked as English, when
the Chinese file is missing."""

from __future__ import annotations

import re
import shutil

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def api_page(language: str) -> str:
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get("/api/")
    assert response.status_code == 200
    return response.content.decode()


def article(html: str) -> str:
    found = re.search(r"<article[^>]*>", html)
    assert found, "the reference is rendered in an <article>"
    return found.group(0)


def test_it_shows_the_chinese_reference_on_a_chinese_page() -> None:
    html = api_page("zh-hans")
    assert "<h1>HTTP 接口</h1>" in html and "创建运行" in html
    assert 'lang="en"' not in article(html) and "english-only" not in html
    text = re.sub(r"<[^>]+>", "", html)  # code blocks are highlighted span by span
    assert "BPFLAB:-http://testserver}" in text and "/api/v1/runs" in text  # this site


def test_it_shows_the_english_reference_on_an_english_page() -> None:
    html = api_page("en")
    assert "<h1>The HTTP API</h1>" in html and "创建运行" not in html
    assert "lang=" not in article(html)


def test_it_falls_back_to_english_marked_as_such_without_a_chinese_file(settings, tmp_path) -> None:
    (tmp_path / "docs").mkdir()
    shutil.copy(settings.BASE_DIR / "docs" / "api.md", tmp_path / "docs" / "api.md")
    settings.BASE_DIR = tmp_path
    html = api_page("zh-hans")
    assert "<h1>The HTTP API</h1>" in html
    assert 'lang="en"' in article(html)
