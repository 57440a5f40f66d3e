"""Every run draws its own seed for the generated frames, grades with it and keeps it, so
`manage.py grade --seed` replays exactly what the learner's run saw."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from labs.models import Lab, Run

SOLUTIONS = Path(__file__).resolve().parent / "solutions"
SHORT_ONLY = (SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c").read_text()


def grade_command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("grade", *args, stdout=out)
    return int(exit_.value.code or 0), out.getvalue()


@pytest.mark.django_db
def test_it_grades_a_run_with_its_stored_seed_and_replays_it(content, learner) -> None:
    from labs.runner import execute_run
    from labs.submissions import submit

    lab = Lab.objects.get(slug="xdp-drop-all")
    run = submit(learner, lab, SHORT_ONLY, backend="local")
    other = submit(learner, lab, SHORT_ONLY, backend="local")
    execute_run(run.pk)

    run.refresh_from_db()
    assert run.seed is not None and run.seed != other.seed
    assert run.status == Run.DONE and run.passed is False
    stored = run.verdict["differential"]
    assert run.verdict["seed"] == stored["seed"] == run.seed
    code, out = grade_command(
        "xdp-drop-all",
        str(SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c"),
        "--json",
        "--seed",
        str(run.seed),
    )
    replayed = json.loads(out)["differential"]
    assert code == 1 and replayed == stored


def test_it_tells_how_to_replay_the_frames(tmp_path: Path) -> None:
    code, out = grade_command(
        "xdp-drop-all", str(SOLUTIONS / "xdp-drop-all" / "bad_drops_short_only.c"), "--seed", "77"
    )

    assert code == 1
    assert "✗ generated-traffic" in out
    assert "generated frames: seed 77 (replay with --seed 77)" in out
