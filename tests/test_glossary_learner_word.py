"""One Chinese word per concept (docs/glossary.md): the site calls a learner 学员
everywhere, so no translation of the catalogue says 学习者 (the authoring page did)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = REPO / "web" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
GLOSSARY = REPO / "docs" / "glossary.md"


def test_it_names_the_learner_with_the_glossarys_word() -> None:
    assert "| learner | 学员 |" in GLOSSARY.read_text()
    # the msgids are English: any 学习者 in the file is in a translation, wrapped or not
    lines = [line for line in CATALOGUE.read_text().splitlines() if "学习者" in line]

    assert lines == []
