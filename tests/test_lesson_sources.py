"""content/SOURCES.md stays attached to the lessons it vouches for.

Each entry quotes a phrase of a lesson (or of stages.yaml) in both languages and names
the source behind it. When a sourced sentence is rewritten, its phrase disappears and
this test says which entry to check again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from labs.spec import LANGUAGES, load_curriculum

CONTENT = Path(__file__).resolve().parent.parent / "content"
SOURCES = CONTENT / "SOURCES.md"
STAGES = "stages.yaml"


@dataclass
class Entry:
    section: str  # a lab slug, or stages.yaml
    claim: str
    phrases: dict[str, str] = field(default_factory=dict)
    vouched: bool = False  # has a `source:` or `checked:` line


def parse(text: str) -> list[Entry]:
    entries: list[Entry] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("### "):
            entries.append(Entry(section=section, claim=line[4:].strip()))
        elif entries and (phrase := re.match(r'^- (en|zh-hans): "(.*)"\s*$', line)):
            entries[-1].phrases[phrase.group(1)] = phrase.group(2)
        elif entries and re.match(r"^- (source|checked): \S", line):
            entries[-1].vouched = True
    return entries


def _flat(text: str) -> str:
    return " ".join(text.split())


def _texts(section: str, labs: dict) -> dict[str, str] | None:
    """The text each phrase of `section` must appear in, per language."""
    if section == STAGES:
        stages = (CONTENT / STAGES).read_text(encoding="utf-8")
        return dict.fromkeys(LANGUAGES, stages)
    lab = labs.get(section)
    return lab.lessons if lab else None


def stale_entries() -> list[str]:
    labs = load_curriculum(CONTENT).labs
    problems = []
    for entry in parse(SOURCES.read_text(encoding="utf-8")):
        where = f"{entry.section} / {entry.claim}"
        texts = _texts(entry.section, labs)
        if texts is None:
            problems.append(f"{where}: no lab named {entry.section!r}")
            continue
        if not entry.vouched:
            problems.append(f"{where}: names no source and no replay")
        for lang in LANGUAGES:
            phrase = entry.phrases.get(lang)
            if not phrase:
                problems.append(f"{where}: no {lang} phrase")
            elif _flat(phrase) not in _flat(texts[lang]):
                problems.append(f"{where}: the {lang} text no longer says {phrase!r}")
    return problems


def test_it_finds_every_sourced_phrase_in_its_lesson() -> None:
    assert parse(SOURCES.read_text(encoding="utf-8")), "SOURCES.md has no entries"
    assert stale_entries() == []


def test_it_reads_an_entry_with_its_phrases_and_source() -> None:
    text = (
        "## tc-drop-icmp\n\n### Verdicts\n"
        '- en: "is turned into `TC_ACT_UNSPEC`"\n'
        '- zh-hans: "改成 `TC_ACT_UNSPEC`"\n'
        "- source: `net/sched/cls_bpf.c`\n"
        "### Unsourced\n"
        '- en: "something"\n'
    )

    first, second = parse(text)

    assert (first.section, first.claim, first.vouched) == ("tc-drop-icmp", "Verdicts", True)
    assert first.phrases == {
        "en": "is turned into `TC_ACT_UNSPEC`",
        "zh-hans": "改成 `TC_ACT_UNSPEC`",
    }
    assert second.vouched is False and "zh-hans" not in second.phrases
