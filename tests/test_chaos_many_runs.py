"""Chaos suite: 50 runs at once (25 learners, 2 each) on one worker all end with the verdict
their source deserves, each graded exactly once."""

from __future__ import annotations

import itertools

from django.db.models import Sum

from labs.models import Lab, Progress
from labs.submissions import submit
from tests.chaos import finished, learners, outcomes, program, wait_for


def test_it_grades_fifty_runs_of_twenty_five_learners_exactly_once(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    chaos.start_worker(concurrency=2)
    expected, runs = [], []
    for learner, passes in itertools.product(learners(25), (True, False)):
        runs.append(submit(learner, lab, program(lab, passes), backend="local"))
        expected.append(("done", passes))

    wait_for(lambda: finished(runs), 240, "50 runs to finish", interval=0.5)

    assert outcomes(runs) == expected
    assert Progress.objects.aggregate(n=Sum("attempts"))["n"] == 50
