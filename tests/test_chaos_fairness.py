"""Chaos suite: one learner submits two programs that drive the verifier to its limit;
another learner's ordinary run right after is graded beside the first heavy run, not behind
it. The first learner's second run waits for the slot kept for others (its page says why),
so one learner never holds every slot; the verifier's CPU time is bounded, so the heavy
runs end with a time limit, not minutes later.

The order of who was served is asserted, not seconds: on a loaded machine every run is
slower, the order is not (how fast a run is served is `make bench`'s business)."""

from __future__ import annotations

from pathlib import Path

from labs.models import Lab, Run
from labs.queue import WAIT_FAIR_SHARE, waiting
from labs.submissions import submit
from tests.chaos import finished, learners, wait_for

VERIFIER_HEAVY = (Path(__file__).parent / "programs" / "verifier_heavy.c").read_text()


def test_it_runs_another_learners_run_beside_two_verifier_heavy_runs(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    chaos.start_worker(concurrency=2)
    alice, bob = learners(2)
    heavy = [submit(alice, lab, VERIFIER_HEAVY, backend="local") for _ in range(2)]
    first_heavy = Run.objects.filter(pk=heavy[0].pk, status__in=["compiling", "running"])
    wait_for(first_heavy.exists, 30, "alice's first run to start")

    light = submit(bob, lab, lab.solution, backend="local")
    second = Run.objects.select_related("submission").get(pk=heavy[1].pk)
    assert second.status == Run.QUEUED and waiting(second).reason == WAIT_FAIR_SHARE

    wait_for(lambda: finished([light, *heavy]), 120, "every run", interval=0.2)
    light.refresh_from_db()
    first, second = (Run.objects.get(pk=run.pk) for run in heavy)
    assert light.status == Run.DONE and light.passed is True
    # the slot alice's second run was kept from went to bob: he did not wait for her runs
    assert light.started_at < first.finished_at, "bob waited for alice's first run"
    for run in (first, second):
        assert run.status == Run.DONE and run.passed is False
        assert run.verdict["time_limit"]["what"] == "verifier_cpu"
