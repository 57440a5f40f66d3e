"""Chaos suite: Redis killed (kill -9) and restarted while 8 runs wait in the queue with no
worker up, then a worker starts: every run ends with the verdict its source deserves. A
worker that was up across the restart, idle or grading a run, goes on taking runs."""

from __future__ import annotations

import itertools

from labs.models import Lab, Run
from labs.submissions import submit
from tests.chaos import finished, learners, outcomes, program, wait_for


def test_it_runs_every_queued_run_after_redis_was_killed_and_restarted(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    expected, runs = [], []
    for learner, passes in itertools.product(learners(4), (True, False)):
        runs.append(submit(learner, lab, program(lab, passes), backend="local"))
        expected.append(("done", passes))
    assert all(status == Run.QUEUED for status, _ in outcomes(runs))

    chaos.redis.kill()
    chaos.redis.start()
    chaos.start_worker(concurrency=2)

    wait_for(lambda: finished(runs), 120, "every run to finish", interval=0.2)
    assert outcomes(runs) == expected


def test_it_runs_queued_runs_whose_wake_ups_redis_lost(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    runs = [submit(learner, lab, lab.solution, backend="local") for learner in learners(4)]
    chaos.redis.kill()
    for path in chaos.redis.data_dir.rglob("*"):  # a Redis that kept nothing
        if path.is_file():
            path.unlink()
    chaos.redis.start()
    chaos.start_worker(concurrency=2)

    wait_for(lambda: finished(runs), 120, "every run to finish", interval=0.2)
    assert outcomes(runs) == [("done", True)] * 4


def test_it_keeps_a_worker_taking_runs_across_a_redis_restart(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    chaos.start_worker(concurrency=2)
    alice, bob = learners(2)
    before = [submit(alice, lab, lab.solution, backend="local")]
    wait_for(lambda: finished(before), 60, "a run before the restart", interval=0.2)

    chaos.redis.kill()
    chaos.redis.start()
    after = [submit(bob, lab, lab.solution, backend="local")]

    wait_for(lambda: finished(after), 60, "a run after the restart", interval=0.2)
    assert outcomes(before + after) == [("done", True)] * 2


def test_it_keeps_a_worker_that_was_grading_a_run_when_redis_died(chaos, content):
    """The wake-up of the run in hand outlives the worker's broker connection: putting it
    back, or acknowledging it once the run ends, stopped the worker (see web/broker.py)."""
    lab = Lab.objects.get(slug="hello-printk")
    worker = chaos.start_worker(concurrency=2)
    alice, bob = learners(2)
    grading = [submit(alice, lab, lab.solution, backend="local")]
    in_flight = Run.objects.filter(pk=grading[0].pk, status__in=(Run.COMPILING, Run.RUNNING))
    wait_for(in_flight.exists, 60, "the run to be graded", interval=0.01)

    chaos.redis.kill()
    chaos.redis.start()
    after = [submit(bob, lab, lab.solution, backend="local")]

    wait_for(lambda: finished(grading + after), 60, "both runs to finish", interval=0.2)
    assert outcomes(grading + after) == [("done", True)] * 2
    assert worker.proc.poll() is None, "the worker is still up"
