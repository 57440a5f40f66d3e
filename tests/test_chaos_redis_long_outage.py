"""Chaos suite: Redis down for a long while under a running worker. The worker keeps trying
to reconnect every few seconds at most (kombu's own waits grow to 30 s), so it takes runs
again within seconds of Redis coming back, however long Redis was away."""

from __future__ import annotations

import re

from labs.models import Lab
from labs.submissions import submit
from tests.chaos import finished, learners, outcomes, wait_for
from web.broker import RETRY_MAX_S

WAITS = re.compile(r"Trying again in ([0-9.]+) seconds")
TRIES = 6  # kombu's waits before its 6th try: 2, 4, 6, 8, 10 s


def test_it_keeps_trying_redis_every_few_seconds_through_a_long_outage(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    worker = chaos.start_worker(concurrency=1)
    chaos.redis.kill()

    def waits() -> list[float]:
        return [float(s) for s in WAITS.findall(worker.log.read_text(errors="replace"))]

    wait_for(lambda: len(waits()) >= TRIES, 60, f"{TRIES} tries to reconnect", interval=0.2)
    assert max(waits()) <= RETRY_MAX_S, waits()

    chaos.redis.start()
    (learner,) = learners(1)
    runs = [submit(learner, lab, lab.solution, backend="local")]
    wait_for(lambda: finished(runs), 60, "a run after the outage", interval=0.2)
    assert outcomes(runs) == [("done", True)]
