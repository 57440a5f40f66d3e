"""A run on every kernel: compiled once, run in a fresh VM of each kernel, stored as one
verdict per kernel, and shown as a matrix whose differing rows are marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs import kernels, runner
from labs.models import Progress, Run, RunEvent
from labs.submissions import submit
from sandbox import image as vm_image
from tests.builders import built_kernel_images, make_lab

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ITER_NUM = (Path(__file__).parent / "programs" / "iter_num_drop.c").read_text()
LABS = Path(__file__).parent.parent / "content" / "labs"
SOLUTION = (LABS / "xdp-drop-all" / "solution.c").read_text()


@pytest.fixture(autouse=True)
def microvm(settings):  # type: ignore[no-untyped-def]
    built_kernel_images()
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    return settings


def run_on_every_kernel(user, source: str, slug: str = "xdp-drop-all") -> Run:  # type: ignore[no-untyped-def]
    lab = make_lab(slug)
    run = submit(user, lab, source, kernel=kernels.ALL)
    runner.execute_run(run.pk)
    run.refresh_from_db()
    return run


def test_it_stores_one_verdict_per_kernel_and_what_differs(learner) -> None:
    run = run_on_every_kernel(learner, ITER_NUM)

    assert run.status == Run.DONE and run.passed is False
    verdict = run.verdict
    # A JSON object: PostgreSQL's jsonb keeps no key order (the pages sort by version).
    passed = {name: v["passed"] for name, v in verdict["kernels"].items()}
    assert sorted(passed, key=kernels.version_key) == ["6.1", "6.12", "7.2", "7.3"]
    assert passed == {"6.1": False, "6.12": True, "7.2": True, "7.3": True}
    assert verdict["kernels"]["6.1"]["load"]["complaint"].startswith("extern (func ksym)")
    assert {"loaded", "complaint", "check:udp-dropped"} <= set(verdict["differences"])
    assert verdict["kernel_counts"] == {"passed": 3, "total": 4} and "summary" not in verdict


def test_it_compiles_once_and_tags_each_kernels_events(learner) -> None:
    run = run_on_every_kernel(learner, SOLUTION)

    kinds = list(RunEvent.objects.filter(run=run).values_list("kind", "data"))
    assert [kind for kind, _ in kinds].count("compile") == 1
    booted = {data["kernel"]: data["release"] for kind, data in kinds if data.get("boot")}
    assert booted == {n: i.kernel_release for n, i in vm_image.built_kernels().items()}
    per_kernel = [data for kind, data in kinds if kind == "verdict" and "kernel" in data]
    assert sorted(v["kernel"] for v in per_kernel) == ["6.1", "6.12", "7.2", "7.3"]
    assert kinds[-2][0] == "verdict" and set(kinds[-2][1]["kernels"]) == set(booted)
    assert run.passed is True and Progress.objects.get(user=learner).status == Progress.PASSED


def test_it_counts_only_the_kernels_the_lab_is_meant_for(learner) -> None:
    """verifier-iter-options needs 6.12 (bpf_iter_num came with 6.4): 6.1 is shown, not
    counted."""
    solution = (LABS / "verifier-iter-options" / "solution.c").read_text()

    run = run_on_every_kernel(learner, solution, slug="verifier-iter-options")

    assert run.passed is True and run.verdict["min_kernel"] == "6.12"
    assert run.verdict["kernel_counts"] == {"passed": 3, "total": 3}
    on_61 = run.verdict["kernels"]["6.1"]
    assert on_61["passed"] is False and on_61["load_failure"]["class"] == "missing_kfunc"


def test_it_shows_the_matrix_with_the_differing_rows_marked(client, learner) -> None:
    run = run_on_every_kernel(learner, ITER_NUM)
    client.force_login(learner)

    html = client.get(f"/runs/{run.token}/").content.decode()

    assert 'data-testid="kernel-matrix"' in html
    for name in ("6.1", "6.12", "7.2", "7.3"):
        assert f'data-kernel="{name}"' in html
    assert 'data-row="loaded" data-differs="1"' in html
    assert 'data-row="insns" data-differs="1"' in html
    assert "not found in kernel or module BTFs" in html
    assert "Passed on 3 of 4 kernels." in html
    # each check by its description; why 6.1 ran none of them said once, in its outcome
    assert "An IPv4 UDP packet is dropped" in html
    assert html.count("this kernel has no kernel function bpf_iter_num_") == 1
    assert 'data-row="outcome" data-differs="1"' in html and "All 6 checks passed." in html
