"""Chaos suite: 5 submissions while Redis is down. Each answers within a second (past the
process's first request), the run is stored as queued and its page says it waits for a
worker; once Redis and a worker are up, every run ends with the verdict its source
deserves."""

from __future__ import annotations

import time

from django.test import Client

from labs.models import Lab, Run
from tests.chaos import finished, learners, outcomes, wait_for


def test_it_accepts_runs_while_redis_is_down_and_runs_them_once_it_is_back(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    chaos.redis.kill()
    answered_in, runs = [], []
    for learner in learners(5):
        client = Client()
        client.force_login(learner)
        started = time.monotonic()
        response = client.post(f"/labs/{lab.slug}/run/", {"source": lab.solution})
        answered_in.append(time.monotonic() - started)
        assert response.status_code == 302
        run = Run.objects.get(token=response["Location"].strip("/").split("/")[-1])
        runs.append(run)
        page = client.get(response["Location"]).content.decode()
        assert "Waiting for a worker to take this run" in page
    # The first submission of this process also pays for its first request (lazy imports,
    # pools made): a site's web process pays that once, not per run. Not Redis's time.
    assert max(answered_in[1:]) < 1.0, answered_in
    assert all(status == Run.QUEUED for status, _ in outcomes(runs))

    chaos.redis.start()
    chaos.start_worker(concurrency=2)

    wait_for(lambda: finished(runs), 120, "every run to finish", interval=0.2)
    assert outcomes(runs) == [("done", True)] * 5
