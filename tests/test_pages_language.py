"""English / Simplified Chinese: the switch sticks, every UI string of the catalogue is
translated, and the compiled catalogue the site loads matches its source."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest

from tests.builders import make_lab

LOCALE = Path(__file__).resolve().parent.parent / "web" / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, list[str]]:
    """msgid -> its msgstr values, from a .po file (enough of the format for our catalogue)."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n)+)', block + "\n", re.M)
        if not msgid:
            continue
        key = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', msgid.group(1)))
        values = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block + "\n", re.M)
        entries[key] = ["".join(re.findall(r'"((?:[^"\\]|\\.)*)"', v)) for v in values]
    entries.pop("", None)
    return entries


def test_it_translates_every_string_of_the_catalogue():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    untranslated = [msgid for msgid, values in entries.items() if not all(values)]
    assert untranslated == []


def test_it_ships_a_compiled_catalogue_matching_the_source():
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    entries = po_entries(LOCALE / "django.po")
    plain = {m: v[0] for m, v in entries.items() if len(v) == 1 and "\\" not in m + v[0]}
    stale = [m for m, translated in plain.items() if compiled.gettext(m) != translated]
    assert stale == [], "run: manage.py compilemessages -l zh_Hans --ignore=.venv"


@pytest.mark.django_db
def test_it_switches_the_interface_to_simplified_chinese_and_back(client, learner):
    make_lab(lesson={"en": "English lesson", "zh-hans": "中文课程"})
    client.force_login(learner)
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/labs/hello-printk/"})
    assert response.status_code == 302 and response["Location"] == "/labs/hello-printk/"
    html = client.get("/labs/hello-printk/").content.decode()
    assert "中文课程" in html and "恢复初始代码" in html and "退出登录" in html
    strings = json.loads(re.search(r'id="panel-strings"[^>]*>(.*?)</script>', html).group(1))
    assert (
        strings["stages"]["compiling"] == "编译" and "data_end" in strings["verifier"]["pkt_access"]
    )
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/labs/hello-printk/").content.decode()
    assert "English lesson" in html and "Reset to starter" in html


@pytest.mark.django_db
def test_it_translates_refusal_messages(client, learner, settings):
    settings.MAX_SOURCE_BYTES = 10
    make_lab()
    client.force_login(learner)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.post("/labs/hello-printk/run/", {"source": "x" * 20})
    assert response.status_code == 413
    assert "源代码有 20 字节，上限是 10 字节。" in response.content.decode()
