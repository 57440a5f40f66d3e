"""Instructors see runs that passed every fixed check but differed from the reference on
generated traffic as their own failure class, with how the programs differed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from labs import classroom
from labs.grading import grade
from labs.spec import load_lab_spec
from tests.builders import make_cohort, make_finished_run, make_instructor, make_lab

ROOT = Path(__file__).resolve().parent.parent
SHORT_ONLY = (ROOT / "tests/solutions/xdp-drop-all/bad_drops_short_only.c").read_text()


@pytest.mark.django_db
def test_it_counts_runs_that_fail_only_on_generated_traffic_apart(learner) -> None:
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    lab = make_lab("xdp-drop-all")
    verdict = grade(load_lab_spec(ROOT / "content/labs/xdp-drop-all"), SHORT_ONLY).to_dict()
    run = make_finished_run(learner, lab, passed=False, checks=verdict["checks"])
    run.verdict["differential"] = verdict["differential"]
    run.save(update_fields=["verdict"])
    failed_fixed = [{"name": "udp-dropped", "passed": False}]
    make_finished_run(learner, lab, passed=False, checks=failed_fixed)

    report = classroom.lab_failures(cohort, lab)

    assert classroom.failure_kind(run) == classroom.GENERATED
    assert dict(report.kinds) == {"generated": 1, "checks": 1}
    assert report.difference_rows() == [("action", "another action", 1)]
    assert ("generated-traffic", 1) in report.failed_check_rows()
    client = Client()
    client.force_login(instructor)
    page = client.get(f"/classroom/cohorts/{cohort.pk}/labs/{lab.slug}/").content.decode()
    assert 'data-kind="generated"' in page and 'data-difference="action"' in page
    assert "failed on generated traffic" in page
