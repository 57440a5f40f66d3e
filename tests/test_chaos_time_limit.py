"""Chaos suite: a program that loads fine but spins in every test-run (bpf_loop inside a
loop), graded by a real worker in a microVM: the VM is stopped at the wall limit and the
run ends done and failed with a time limit naming the test-run, never "the sandbox failed".
"""

from __future__ import annotations

from pathlib import Path

from labs.models import Lab, Run
from labs.submissions import submit
from tests.chaos import finished, learners, wait_for

SPIN = (Path(__file__).parent / "programs" / "spin_bpf_loop.c").read_text()


def test_it_gives_a_spinning_program_the_learners_time_limit_in_a_microvm(chaos, content):
    lab = Lab.objects.get(slug="hello-printk")
    chaos.start_worker(concurrency=1, RUN_WALL_S="3")
    (learner,) = learners(1)
    run = submit(learner, lab, SPIN, backend="microvm")

    wait_for(lambda: finished([run]), 90, "the run to finish", interval=0.2)
    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is False and run.error == ""
    assert run.verdict["time_limit"] == {
        "op": "test_run",
        "id": "run:udp-prints-hello",
        "limit_s": 3,
        "what": "wall",
    }
    assert run.verdict["summary"].startswith("Time limit exceeded: the test run")
    assert "sandbox failed" not in run.verdict["summary"]
