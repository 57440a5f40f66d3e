"""The lab page: the lesson in the reader's language beside an editor holding their code."""

from __future__ import annotations

import pytest

from labs.models import Draft
from tests.builders import make_lab

pytestmark = pytest.mark.django_db

LESSON = {
    "en": "## Packets\n\nRead `data_end` first.",
    "zh-hans": "## 数据包\n\n先读取 `data_end`。",
}


def lab_with_lesson():
    return make_lab(
        "xdp-lesson",
        title={"en": "Drop it", "zh-hans": "丢掉它"},
        lesson=LESSON,
        starter="int starter_marker;\n",
        checks=[{"name": "drops", "describe": {"en": "UDP dropped", "zh-hans": "UDP 被丢弃"}}],
    )


def test_it_renders_the_lesson_as_html_in_english(client, learner):
    lab_with_lesson()
    client.force_login(learner)
    html = client.get("/labs/xdp-lesson/").content.decode()
    assert "<h2>Packets</h2>" in html and "<code>data_end</code>" in html
    assert "UDP dropped" in html
    assert "数据包" not in html


def test_it_renders_the_lesson_in_simplified_chinese_when_chosen(client, learner):
    lab_with_lesson()
    client.force_login(learner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/labs/xdp-lesson/").content.decode()
    assert "<h2>数据包</h2>" in html and "丢掉它" in html and "UDP 被丢弃" in html
    assert '<html lang="zh-hans">' in html


def test_it_loads_the_starter_then_the_saved_draft(client, learner):
    lab = lab_with_lesson()
    client.force_login(learner)
    assert "int starter_marker;" in client.get("/labs/xdp-lesson/").content.decode()
    Draft.objects.create(user=learner, lab=lab, source="int my_draft;\n")
    html = client.get("/labs/xdp-lesson/").content.decode()
    assert "int my_draft;" in html
    assert 'data-code-editor="c"' in html and 'name="source"' in html


def test_it_never_lets_lesson_markdown_run_script(client, learner):
    make_lab("evil", lesson={"en": "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>"})
    client.force_login(learner)
    html = client.get("/labs/evil/").content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_it_answers_404_for_an_unknown_lab(client, learner):
    client.force_login(learner)
    assert client.get("/labs/no-such-lab/").status_code == 404


def test_it_lets_a_visitor_read_the_lesson_and_asks_them_to_log_in_to_run(client):
    lab_with_lesson()
    html = client.get("/labs/xdp-lesson/").content.decode()
    assert "<h2>Packets</h2>" in html and "int starter_marker;" in html
    assert "Log in to run" in html and 'id="run-button"' not in html
    # Their edits are kept in the session and go with them through the login.
    assert '"draftUrl": "/labs/xdp-lesson/draft/"' in html
