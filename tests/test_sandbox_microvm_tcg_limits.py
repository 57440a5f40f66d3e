"""Under TCG a guest's CPU clock runs while the host does not schedule its vCPU, so the
verifier's CPU limit is longer there; under KVM the job goes as it is."""

from __future__ import annotations

from typing import Any

from sandbox import image as vm_image
from sandbox.backends import microvm
from sandbox.job import Job, RunLimits
from sandbox.wire import decode_job, encode_job


class _Image(vm_image.Image):
    def __init__(self, accel: str) -> None:
        self._accel = accel

    @property
    def accel(self) -> str:
        return self._accel


def _job() -> Job:
    ops: list[dict[str, Any]] = [{"op": "load", "id": "load"}]
    return Job(object=b"\x7fELF", ops=ops, limits=RunLimits(verifier_cpu_s=2))


def test_it_gives_the_verifier_longer_in_an_emulated_vm() -> None:
    sent = decode_job(encode_job(microvm.for_accel(_job(), _Image("tcg"))))

    assert sent.limits.verifier_cpu_s == 2 * microvm.TCG_VERIFIER_CPU_FACTOR > 2


def test_it_sends_the_job_as_it_is_to_a_kvm_vm() -> None:
    job = _job()

    assert microvm.for_accel(job, _Image("kvm")) is job
    assert job.limits.verifier_cpu_s == 2


def test_it_leaves_the_callers_job_alone() -> None:
    job = _job()
    microvm.for_accel(job, _Image("tcg"))

    assert job.limits.verifier_cpu_s == 2
