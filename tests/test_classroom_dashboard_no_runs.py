"""The dashboard's "Why runs fail" section of a cohort whose learners have not run anything
says so, instead of a heading over nothing; once a learner runs a lab, that lab's card
shows and the sentence goes."""

from __future__ import annotations

import re

import pytest

from tests.builders import client_for, make_cohort, make_finished_run, make_instructor, make_lab

pytestmark = pytest.mark.django_db


def why_runs_fail(html: str) -> str:
    return re.search(r"Why runs fail</h2>(.*?)</section>", html, re.S).group(1)


def test_it_says_there_are_no_runs_yet(learner) -> None:
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    make_lab("hello-printk")

    html = client_for(instructor).get(f"/classroom/cohorts/{cohort.pk}/").content.decode()

    section = why_runs_fail(html)
    assert 'data-testid="no-runs"' in section and 'data-lab="' not in section


def test_it_shows_the_labs_run_and_not_the_sentence(learner) -> None:
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    make_lab("xdp-drop-all", order=2)
    make_finished_run(learner, make_lab("hello-printk"), passed=False, stage="checks")

    html = client_for(instructor).get(f"/classroom/cohorts/{cohort.pk}/").content.decode()

    section = why_runs_fail(html)
    assert 'data-lab="hello-printk"' in section and 'data-lab="xdp-drop-all"' not in section
    assert 'data-testid="no-runs"' not in section
