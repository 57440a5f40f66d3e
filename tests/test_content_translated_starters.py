"""A lab may ship its starter with comments in Chinese (starter.zh-hans.c): a Chinese page
shows it, an English one starter.c; the code itself must be the same."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from labs.spec import ContentError, load_lab, without_comments

LABS = Path(settings.CONTENT_DIR) / "labs"


def test_it_ships_a_chinese_starter_for_every_lab_with_the_same_code():
    for folder in sorted(p for p in LABS.iterdir() if p.is_dir()):
        spec = load_lab(folder, with_prose=False)
        assert re.search(r"TODO：.{0,40}?[\u4e00-\u9fff]", spec.starters["zh-hans"], re.S), folder
        assert without_comments(spec.starters["zh-hans"]) == without_comments(spec.starter)


def test_it_refuses_a_translated_starter_whose_code_differs(tmp_path):
    folder = tmp_path / "hello-printk"
    shutil.copytree(LABS / "hello-printk", folder)
    translated = folder / "starter.zh-hans.c"
    translated.write_text(translated.read_text().replace("XDP_PASS", "XDP_DROP"))
    with pytest.raises(ContentError, match="more than its comments"):
        load_lab(folder, with_prose=False)


@pytest.mark.django_db
def test_it_shows_the_starter_in_the_readers_language(client, content):
    english = client.get("/labs/hello-printk/").content.decode()
    assert "TODO: print exactly" in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = client.get("/labs/hello-printk/").content.decode()
    assert "TODO：打印的文字必须恰好是" in chinese and "TODO: print exactly" not in chinese
