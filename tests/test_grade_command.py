"""`manage.py grade SLUG FILE`: verdicts as text or JSON, exit 0/1/2/3."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "content" / "labs"
SOLUTIONS = Path(__file__).resolve().parent / "solutions"


def grade_command(*args: str) -> tuple[int, str]:
    """`manage.py grade ARGS`: its exit status and what it printed."""
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("grade", *args, stdout=out)
    return int(exit_.value.code or 0), out.getvalue()


def test_it_exits_0_and_prints_json_when_every_check_passes() -> None:
    code, out = grade_command(
        "xdp-drop-udp-port", str(LABS / "xdp-drop-udp-port" / "solution.c"), "--json"
    )

    report = json.loads(out)
    assert code == 0
    assert report["slug"] == "xdp-drop-udp-port" and report["passed"] is True
    assert report["stage"] == "done"
    assert set(report) >= {"checks", "diagnostics", "verifier_log", "trace", "timings"}
    assert all(set(c) == {"name", "passed", "expected", "actual"} for c in report["checks"])


def test_it_exits_1_and_marks_the_failed_checks() -> None:
    code, out = grade_command(
        "xdp-drop-udp-port", str(SOLUTIONS / "xdp-drop-udp-port" / "bad_ignores_ihl.c")
    )

    assert code == 1
    assert "✗ udp-9999-options-dropped" in out
    assert "actual:   expected XDP_DROP, got XDP_PASS" in out
    assert "✓ udp-9999-dropped" in out


def test_it_exits_1_on_a_verifier_rejection() -> None:
    code, out = grade_command(
        "verifier-bounds", str(LABS / "verifier-bounds" / "starter.c"), "--json"
    )

    report = json.loads(out)
    assert code == 1
    assert report["stage"] == "load" and "invalid access to packet" in report["verifier_log"]


def test_it_refuses_an_unknown_lab_with_status_2(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text("int x;\n")

    with pytest.raises(CommandError) as caught:
        call_command("grade", "xdp-drop-everything", str(source))

    assert caught.value.returncode == 2


def test_it_refuses_an_unreadable_file_with_status_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("grade", "xdp-drop-all", str(tmp_path / "missing.c"))

    assert caught.value.returncode == 2


def test_it_exits_3_when_the_sandbox_fails(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "no-such-backend"

    code, out = grade_command("xdp-drop-all", str(LABS / "xdp-drop-all" / "solution.c"), "--json")

    assert code == 3
    assert json.loads(out)["passed"] is False


def test_it_returns_the_status_to_the_shell() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "grade", "no-such-lab", "manage.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "no such lab" in result.stderr
