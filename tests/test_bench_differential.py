"""`make bench` reports what the differential phase adds to a grading, per backend."""

from __future__ import annotations

import pytest

from sandbox.backends.local import LocalBackend
from web import bench

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")


def test_it_measures_a_grading_with_and_without_generated_traffic() -> None:
    result = bench.bench_differential(1, backends=("local",))

    local = result["local"]
    assert result["lab"] == "xdp-drop-udp-port" and local["frames"] == 200
    assert local["with_p50_s"] > 0 and local["without_p50_s"] > 0
    assert local["added_p50_s"] == pytest.approx(
        local["with_p50_s"] - local["without_p50_s"], abs=2e-4
    )
