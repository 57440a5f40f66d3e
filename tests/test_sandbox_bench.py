"""`python -m sandbox bench --json`: a table, then one JSON line with p50/p95 and ratios."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_it_measures_the_baseline_and_the_local_backend() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sandbox", "bench", "--json", "--runs", "10", "--backends", "local"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr
    *table, last = proc.stdout.strip().splitlines()
    summary = json.loads(last)
    assert any(line.startswith("local ") for line in table)
    assert summary["runs"] == 10
    for name in ("baseline", "local"):
        assert 0 < summary[f"{name}_p50_s"] <= summary[f"{name}_p95_s"] < 30
    assert summary["local_ratio"] == round(summary["local_p50_s"] / summary["baseline_p50_s"], 3)
    assert summary["local_meets_target"] == (summary["local_ratio"] <= 1.3)
    assert summary["microvm_cold_p50_s"] is None and summary["microvm_warm_p50_s"] is None
    # the warm goal as a ratio too: it was set where the bare baseline took 0.049 s
    assert summary["microvm_warm_target_ratio"] == round(0.10 / 0.049, 2)
    assert summary["microvm_warm_meets_target_ratio"] is None
