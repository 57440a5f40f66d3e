"""A failed load, graded: the kind, the complaint and the source line reach the load event,
the verdict and `grade --json` on every backend; a load the verifier never saw (a misspelled
helper) is not called a verifier rejection."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from labs.grading import grade
from labs.spec import load_lab_by_slug
from sandbox import image as vm_image

CONTENT = Path(__file__).resolve().parent.parent / "content"
CORPUS = Path(__file__).resolve().parent / "verifier_logs"
# the starter of verifier-bounds reads the Ethernet header before checking data_end
FIRST_UNCHECKED_READ = "eth->h_proto != bpf_htons(ETH_P_IP)"


def _graded(slug: str, source: str, backend: str = "local") -> tuple:  # type: ignore[type-arg]
    events: list[dict] = []
    verdict = grade(
        load_lab_by_slug(CONTENT, slug), source, backend=backend, on_event=events.append
    )
    load = next(e for e in events if e["event"] == "load")
    return verdict, load


def _line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    "backend",
    [
        "local",
        pytest.param(
            "microvm",
            marks=pytest.mark.skipif(
                shutil.which("qemu-system-x86_64") is None, reason="qemu is not installed"
            ),
        ),
    ],
)
def test_it_gives_the_source_line_of_a_rejection_on_every_backend(backend: str) -> None:
    if backend == "microvm":
        vm_image.build_image(log=lambda message: None)  # current agent, current kernel
    lab = load_lab_by_slug(CONTENT, "verifier-bounds")

    verdict, load = _graded("verifier-bounds", lab.starter, backend)

    line = load["rejection"]["line"]
    assert load["ok"] is False and load["rejection"]["class"] == "pkt_access"
    assert line == _line_of(lab.starter, FIRST_UNCHECKED_READ)
    assert verdict.verifier is not None and verdict.verifier["line"] == line
    assert f"prog.c:{line}" in verdict.summary


def test_it_tells_a_misspelled_helper_from_a_verifier_rejection() -> None:
    source = (CORPUS / "misspelled_helper.c").read_text()

    verdict, load = _graded("map-array-counter", source)

    assert load["rejection"]["class"] == "unknown_function"
    assert load["rejection"]["by"] == "loader"
    assert load["rejection"]["line"] == _line_of(source, "bpf_map_lookup_elm(")
    assert verdict.stage == "load" and "verifier rejected" not in verdict.summary
    assert "bpf_map_lookup_elm" in verdict.summary
    assert all("verifier rejected" not in c.actual for c in verdict.checks)


def test_it_reports_the_rejection_in_grade_json() -> None:
    out = io.StringIO()
    starter = CONTENT / "labs" / "verifier-bounds" / "starter.c"
    with pytest.raises(SystemExit):
        call_command("grade", "verifier-bounds", str(starter), "--json", stdout=out)

    report = json.loads(out.getvalue())

    assert report["verifier"]["class"] == "pkt_access"
    assert "invalid access to packet" in report["verifier"]["message"]
    assert report["verifier"]["line"] == _line_of(starter.read_text(), FIRST_UNCHECKED_READ)


def test_it_reports_no_rejection_for_a_program_that_loads() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-drop-all")

    verdict = grade(lab, lab.solution)

    assert verdict.verifier is None and verdict.to_dict()["verifier"] is None
