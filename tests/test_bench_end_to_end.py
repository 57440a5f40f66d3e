"""`make bench` times a run from `submit` to its stored verdict, through a real worker on
real Redis, against bare clang + bpftool doing the same job, and says where the time goes."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from web import bench

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root"),
]

PHASES = ("claimed", "grading", "worker", "seen")


def test_it_splits_submit_to_verdict_into_phases_against_the_bare_tools(live_stack, content):
    result = bench.bench_end_to_end(1)

    assert result["lab"] == "map-array-counter" and result["runs"] == 1
    total, base = result["e2e_p50_s"], result["e2e_baseline_p50_s"]
    assert total > 0 and base > 0
    assert result["e2e_ratio"] == pytest.approx(total / base, rel=2e-3)
    assert result["met"] == (result["e2e_ratio"] <= bench.E2E_TARGET_RATIO)
    phases = [result[f"e2e_{name}_p50_s"] for name in PHASES]
    # one run: each median is that run's phase, and the phases follow one another
    assert all(phase >= -0.002 for phase in phases), result
    assert sum(phases) == pytest.approx(total, abs=2e-3)
    # a worker may take the run before submit() has returned: no order between the two
    assert 0 < result["e2e_submit_p50_s"] < total
    assert result["e2e_around_grading_p50_s"] == pytest.approx(total - phases[1], abs=2e-3)
    assert 0 < result["e2e_compile_p50_s"] < result["e2e_grading_p50_s"]
    assert 0 < result["e2e_baseline_compile_p50_s"] < base
    assert "dispatcher" in result["e2e_baseline_note"]
