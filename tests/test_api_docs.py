"""docs/api.md's examples, run as written (bash, curl, jq, python) against the live stack:
a real web server, a real worker and Redis; the run goes through the queue and the sandbox
and its events come back as server-sent events and over the websocket."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labs.models import ApiToken

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
# The Chinese reference (the site's zh-hans /api/ page): its examples are the ones run here.
DOC_ZH = DOC.with_name("api.zh-hans.md")


def shell_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL)


def code_blocks(markdown: str) -> list[str]:
    """Every fenced block, its language tag included: the commands and what they send."""
    return re.findall(r"```\w*\n.*?```", markdown, flags=re.DOTALL)


def test_it_keeps_the_chinese_reference_in_step_with_the_english_one() -> None:
    english, chinese = DOC.read_text(), DOC_ZH.read_text(encoding="utf-8")
    assert len(shell_blocks(english)) >= 5
    assert code_blocks(chinese) == code_blocks(english), (
        "docs/api.zh-hans.md must carry docs/api.md's code blocks, unchanged and in order"
    )
    assert shell_blocks(chinese) == shell_blocks(english)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_runs_every_curl_example_of_the_api_docs(live_stack, learner) -> None:
    _token, key = ApiToken.issue(learner, "docs")
    blocks = shell_blocks(DOC.read_text())
    assert len(blocks) >= 5
    script = "set -euo pipefail\n" + "\n".join(blocks)
    env = {
        **os.environ,
        "BPFLAB": live_stack.http_url,
        "BPFLAB_TOKEN": key,
        # the python example imports websockets: the project's own interpreter first
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=240
    )
    out = done.stdout
    assert done.returncode == 0, done.stderr + out

    assert re.search(r"^run: \S{30,}$", out, flags=re.MULTILINE)
    sse = re.findall(r"^event: (\w+)$", out, flags=re.MULTILINE)
    assert sse == ["load", "packet", "verdict", "finished"]
    ws = re.findall(r"^(\d+) (\w+)$", out, flags=re.MULTILINE)
    assert ws[-1][1] == "finished" and [int(seq) for seq, _ in ws] == sorted(int(s) for s, _ in ws)
    assert '"status": "done"' in out and '"XDP_DROP"' in out and "saw 58 bytes" in out
    assert '"stage": "load"' in out and '"class": "pkt_access"' in out
