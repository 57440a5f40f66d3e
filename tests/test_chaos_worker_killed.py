"""Chaos suite: `kill -9` of a worker's whole process group while runs are in flight, then
a new worker. The runs it held are taken over once their lease runs out, the ones still
queued are woken again, and every run ends with the verdict its source deserves, graded to
a verdict exactly once."""

from __future__ import annotations

import itertools

from django.db.models import Max, Sum

from labs.models import Lab, Progress, Run
from labs.submissions import submit
from tests.chaos import finished, learners, outcomes, program, wait_for


def test_it_finishes_every_run_after_the_worker_is_killed_mid_flight(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    worker = chaos.start_worker(concurrency=2)
    expected, runs = [], []
    for learner, passes in itertools.product(learners(4), (True, False)):
        runs.append(submit(learner, lab, program(lab, passes), backend="local"))
        expected.append(("done", passes))
    in_flight = Run.objects.filter(pk__in=[r.pk for r in runs], status__in=["compiling", "running"])
    wait_for(in_flight.exists, 60, "a run in flight", interval=0.01)

    worker.kill()
    held = list(in_flight.values_list("pk", flat=True))
    chaos.start_worker(concurrency=2)

    wait_for(lambda: finished(runs), 120, "every run to finish", interval=0.2)
    assert held, "the worker held runs when it was killed"
    assert outcomes(runs) == expected
    taken_over = Run.objects.filter(pk__in=held)
    assert taken_over.aggregate(m=Max("attempt"))["m"] == 2, "a held run had a second attempt"
    assert Progress.objects.aggregate(n=Sum("attempts"))["n"] == len(runs)
