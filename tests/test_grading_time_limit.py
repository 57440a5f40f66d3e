"""A program that runs too long gets the learner's "time limit" verdict naming the operation
(as a judge reports TLE); only the platform's own faults are "the sandbox failed".

The spinning program calls bpf_loop 60 times over 8M iterations per packet: about a second
per test-run here (the full minute of the issue would hold a host CPU as long: on the local
backend the kernel cannot interrupt a test-run)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from labs import curriculum
from labs.grading import grade
from labs.models import Lab, Run
from labs.runner import execute_run
from tests.builders import make_run

PROGRAMS = Path(__file__).parent / "programs"
SPIN = (PROGRAMS / "spin_bpf_loop.c").read_text()
VERIFIER_HEAVY = (PROGRAMS / "verifier_heavy.c").read_text()


def test_it_names_the_test_run_that_ran_past_the_wall_limit_on_local():
    started = time.monotonic()
    verdict = grade(curriculum.get_lab("hello-printk"), SPIN, backend="local", wall_s=2)
    assert time.monotonic() - started < 10, "the verdict does not wait for the spinning run"
    assert verdict.error is None and verdict.passed is False and verdict.stage == "checks"
    assert verdict.time_limit is not None
    assert verdict.time_limit["op"] == "test_run" and verdict.time_limit["limit_s"] == 2
    assert verdict.time_limit["id"].startswith("run:")
    assert verdict.summary.startswith("Time limit exceeded: the test run (run:")
    assert "The sandbox failed" not in verdict.summary
    not_run = [c for c in verdict.checks if not c.passed]
    assert not_run and all("time limit" in c.actual for c in not_run)


def test_it_stops_the_verifier_at_its_cpu_time_limit():
    verdict = grade(curriculum.get_lab("hello-printk"), VERIFIER_HEAVY, backend="local")
    assert verdict.error is None and verdict.stage == "load" and verdict.passed is False
    assert verdict.time_limit == {"op": "load", "id": "load", "what": "verifier_cpu", "limit_s": 2}
    assert verdict.summary == "Time limit exceeded: the verifier ran longer than 2 s of CPU time."


def test_it_names_the_test_run_that_ran_past_the_wall_limit_in_a_microvm():
    from sandbox.backends.microvm import MicroVMBackend

    available, reason = MicroVMBackend().available()
    assert available, reason
    verdict = grade(curriculum.get_lab("hello-printk"), SPIN, backend="microvm", wall_s=3)
    assert verdict.error is None and verdict.stage == "checks" and verdict.passed is False
    assert verdict.time_limit is not None and verdict.time_limit["op"] == "test_run"
    assert verdict.summary.startswith("Time limit exceeded: the test run")


@pytest.mark.django_db
def test_it_ends_a_run_past_its_time_limit_done_and_failed_not_in_error(content, learner, settings):
    settings.RUN_WALL_S = 2
    run = make_run(learner, Lab.objects.get(slug="hello-printk"), source=SPIN)
    execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == Run.DONE and run.passed is False and run.error == ""
    assert run.verdict["time_limit"]["op"] == "test_run"
    assert run.verdict["summary"].startswith("Time limit exceeded")


def test_it_words_a_time_limit_in_the_language_of_the_page():
    from django.utils import translation

    from labs.grading import words

    limit = {"code": words.TIME_LIMIT, "op": "test_run", "id": "run:x", "limit_s": 20}
    with translation.override("zh-hans"):
        said = words.summary("checks", False, {"passed": 1, "total": 4}, limit)
    assert said == "超出时间限制：测试运行（run:x）运行超过了 20 秒。"
