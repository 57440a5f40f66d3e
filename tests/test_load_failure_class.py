"""A program the loader refuses before the verifier runs (a section name libbpf does not
know, a map the kernel will not create) is its own class with its own words, graded for
real: not a verifier rejection in `grade --json`, on the instructors' dashboard, or in the
learner's panel."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from labs import classroom
from labs.models import Lab, RunEvent
from labs.runner import execute_run
from labs.submissions import submit
from tests.builders import client_for, make_cohort, make_instructor
from web.pages.strings import run_panel_strings

CORPUS = Path(__file__).resolve().parent / "verifier_logs"
SOLUTION = Path(__file__).resolve().parents[1] / "content" / "labs" / "xdp-drop-all" / "solution.c"
WRONG_SECTION = SOLUTION.read_text().replace('SEC("xdp")', 'SEC("xdpp")')


def _grade_json(path: Path, *options: str) -> dict:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("grade", "xdp-drop-all", str(path), "--json", *options, stdout=out)
    return json.loads(out.getvalue())


def test_it_reports_a_wrong_section_as_a_load_failure_in_grade_json(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text(WRONG_SECTION)

    report = _grade_json(source, "--backend", "local")

    assert report["stage"] == "load" and report["verifier"] is None
    failure = report["load_failure"]
    assert failure["class"] == "bad_section" and failure["section"] == "xdpp"
    assert failure["line"] == WRONG_SECTION.splitlines().index("{") + 2  # its first line
    assert "verifier rejected" not in report["summary"]
    assert 'SEC("xdpp")' in report["summary"] and "never ran" in report["summary"]


def test_it_words_a_wrong_section_in_chinese(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text(WRONG_SECTION)

    report = _grade_json(source, "--backend", "local", "--language", "zh-hans")

    assert 'SEC("xdpp")' in report["summary"] and "验证器没有运行" in report["summary"]


def test_it_reports_a_map_the_kernel_refused_as_a_load_failure(tmp_path: Path) -> None:
    source = tmp_path / "prog.c"
    source.write_text((CORPUS / "map_refused.c").read_text())

    report = _grade_json(source, "--backend", "local")

    assert report["verifier"] is None and report["load_failure"]["class"] == "map_refused"
    assert "map counts" in report["summary"] and "verifier rejected" not in report["summary"]


@pytest.mark.django_db
def test_it_counts_a_wrong_section_as_did_not_load_on_the_dashboard(content, learner) -> None:
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    lab = Lab.objects.get(slug="xdp-drop-all")
    run = submit(learner, lab, WRONG_SECTION, backend="local", language="zh-hans")
    execute_run(run.pk)

    report = classroom.lab_failures(cohort, lab)

    assert dict(report.kinds) == {"load": 1}
    assert [key for key, _label, _n in report.load_class_rows()] == ["bad_section"]
    assert report.verifier_class_rows() == [] and report.verifier_message_rows() == []
    client = client_for(instructor)
    page = client.get(f"/classroom/cohorts/{cohort.pk}/labs/{lab.slug}/").content.decode()
    loads = page.split('id="load-classes"')[1].split("</section>")[0]
    verifier = page.split('id="verifier-classes"')[1].split("</section>")[0]
    assert 'data-class="bad_section"' in loads and "data-class" not in verifier
    assert "section name that names no program type" in loads
    dashboard = client.get(f"/classroom/cohorts/{cohort.pk}/").content.decode()
    assert "did not load: 1" in dashboard and "rejected by the verifier:" not in dashboard


@pytest.mark.django_db
def test_it_gives_the_learners_panel_the_loader_class_and_its_words(content, learner) -> None:
    lab = Lab.objects.get(slug="xdp-drop-all")
    run = submit(learner, lab, WRONG_SECTION, backend="local")
    execute_run(run.pk)

    load = RunEvent.objects.get(run=run, kind="load").data
    assert load["rejection"]["class"] == "bad_section" and load["rejection"]["by"] == "loader"
    for language, words in (("en", "the verifier never ran"), ("zh-hans", "验证器也没有运行")):
        with translation.override(language):
            assert words in run_panel_strings()["verifier"]["bad_section"]
    page = client_for(learner).get(f"/labs/{lab.slug}/").content.decode()
    assert "bad_section" in page  # the panel's words travel with the page


def test_it_says_a_wrong_section_did_not_load_in_the_playground() -> None:
    from labs import playground

    events: list[dict] = []
    outcome = playground.run(
        WRONG_SECTION, {"hook": "xdp"}, backend="local", on_event=events.append
    )

    data = outcome.to_dict()
    assert data["verifier"] is None and data["load_failure"]["class"] == "bad_section"
    assert "verifier rejected" not in outcome.summary and "did not load" in outcome.summary
    with translation.override("zh-hans"):
        again = playground.summary(playground.summary_facts(data))
    assert "验证器运行之前" in again
