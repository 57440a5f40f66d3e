"""Lesson Markdown -> safe HTML. Content is trusted-ish (reviewed in pull requests), but it is
still cleaned: a lesson must never be able to run script in a learner's session."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

EXTENSIONS = ["fenced_code", "tables", "codehilite", "sane_lists"]
EXTENSION_CONFIGS = {"codehilite": {"guess_lang": False, "css_class": "highlight"}}


def _allowed_attributes() -> dict[str, set[str]]:
    allowed = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    allowed["*"] = allowed.get("*", set()) | {"class", "id"}
    return allowed


@lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    html = nh3.clean(html, attributes=_allowed_attributes(), link_rel="noopener noreferrer")
    # Code blocks and tables scroll sideways when wide: a keyboard must be able to reach them.
    return html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
