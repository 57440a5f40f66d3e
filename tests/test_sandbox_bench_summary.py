"""The bench's summary judges each goal from the samples of the same run: the warm microVM
goal both as set (seconds) and as the ratio it was at the machine where it was set."""

from __future__ import annotations

from sandbox import bench


def _summary(baseline: float, warm: float) -> dict[str, object]:
    samples = {
        "baseline": [baseline] * 10,
        "microvm_warm": [warm] * 10,
        "microvm_warm_6.1": [warm] * 10,
    }
    return bench._summary(samples, {}, 10)


def test_it_judges_the_warm_goal_as_a_ratio_of_the_same_runs_baseline() -> None:
    slow_machine = _summary(baseline=0.1, warm=0.2)  # 2.0 x: within 0.10 s / 0.049 s

    assert slow_machine["microvm_warm_ratio"] == 2.0
    assert slow_machine["microvm_warm_meets_target"] is False  # over 0.10 s all the same
    assert slow_machine["microvm_warm_meets_target_ratio"] is True
    assert "2.04 x" in bench.format_table(slow_machine)


def test_it_fails_a_warm_run_slower_than_the_goals_ratio() -> None:
    summary = _summary(baseline=0.1, warm=0.3)

    assert summary["microvm_warm_meets_target_ratio"] is False
    assert summary["microvm_warm_by_kernel"]["6.1"]["ratio"] == 3.0
