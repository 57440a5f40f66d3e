"""The golden corpus: real logs of failed loads, captured from the local, docker and microvm
backends (tests/verifier_logs/capture.py), each read by labs.verifier to its expected kind
and source line. The microvm kernel prints no `@ prog.c:N`: its line comes from the object's
BTF line info, so every backend reports the same line."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from labs import verifier
from sandbox.compile import compile_source

CORPUS = Path(__file__).resolve().parent / "verifier_logs"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text())
# microvm: the default kernel (6.1); microvm-<kernel>: each other kernel of the lock.
BACKENDS = ("local", "docker", "microvm", "microvm-6.12", "microvm-7.2", "microvm-7.3")
LOGS = sorted((mistake, backend) for mistake in EXPECTED for backend in BACKENDS)
REJECTED = sorted(m for m in EXPECTED if verifier.kind(EXPECTED[m]["class"]).by == "verifier")


@cache
def object_of(mistake: str) -> bytes:
    compiled = compile_source((CORPUS / f"{mistake}.c").read_text())
    assert compiled.ok and compiled.object, compiled.output
    return compiled.object


def log_of(mistake: str, backend: str) -> str:
    return (CORPUS / f"{mistake}.{backend}.log").read_text()


def test_it_has_a_log_of_every_mistake_from_every_backend() -> None:
    assert sorted(p.stem for p in CORPUS.glob("*.c")) == sorted(EXPECTED)
    assert all((CORPUS / f"{m}.{b}.log").is_file() for m, b in LOGS)


@pytest.mark.parametrize(("mistake", "backend"), LOGS)
def test_it_reads_the_kind_and_line_of_each_real_log(mistake: str, backend: str) -> None:
    rejection = verifier.analyse(log_of(mistake, backend), object_of(mistake))

    assert rejection.kind.key == EXPECTED[mistake]["class"]
    assert rejection.line == EXPECTED[mistake]["line"]
    assert rejection.message


@pytest.mark.parametrize(("mistake", "backend"), LOGS)
def test_it_knows_the_kind_from_the_log_alone(mistake: str, backend: str) -> None:
    """The dashboard reads stored logs, without the object."""
    assert verifier.classify(log_of(mistake, backend)).key == EXPECTED[mistake]["class"]


@pytest.mark.parametrize("mistake", REJECTED)
def test_it_needs_the_object_for_the_line_only_where_the_log_has_none(mistake: str) -> None:
    expected = EXPECTED[mistake]
    assert verifier.analyse(log_of(mistake, "local")).line == expected["line"]
    assert verifier.analyse(log_of(mistake, "microvm")).line is None


@pytest.mark.parametrize("mistake", REJECTED)
def test_it_marks_the_complaint_and_the_failing_instruction(mistake: str) -> None:
    log = log_of(mistake, "microvm")
    rejection = verifier.analyse(log, object_of(mistake))
    lines = log.split("\n")
    assert lines[rejection.log_lines["complaint"]].strip() in rejection.message
    assert lines[rejection.log_lines["insn"]].lstrip()[0].isdigit()
    assert rejection.log_lines["insn"] < rejection.log_lines["complaint"]


@pytest.mark.parametrize("mistake", sorted(set(EXPECTED) - set(REJECTED)))
def test_it_words_a_failure_before_the_verifier_as_a_load_failure(mistake: str) -> None:
    rejection = verifier.analyse(log_of(mistake, "local"), object_of(mistake))

    assert rejection.kind.by == "loader" and rejection.log_lines == {}
    assert "verifier rejected" not in verifier.reason(rejection.to_dict(), "EINVAL")


REPORTED = sorted(m for m in REJECTED if "Verification failed:" in log_of(m, "microvm-7.3"))


@pytest.mark.parametrize("mistake", REPORTED)
def test_it_reads_the_explained_report_of_newer_kernels(mistake: str) -> None:
    """7.3 explains a rejection after its classic complaint: the complaint starts as 7.2's
    does, the report comes as data, and its suggestion ends the learner's reason."""
    newer = verifier.analyse(log_of(mistake, "microvm-7.3"))
    older = verifier.analyse(log_of(mistake, "microvm-7.2"))

    assert older.message.startswith(newer.message.split(" / ")[0])
    assert "Verification failed" not in newer.message
    assert newer.report is not None and older.report is None
    assert newer.report["category"] and newer.report["reason"] and newer.report["suggestion"]
    assert newer.report["line"] == EXPECTED[mistake]["line"]
    assert newer.report["suggestion"].rstrip(".") in verifier.reason(newer.to_dict())


def test_it_finds_no_complaint_in_the_log_of_a_load_that_went_through() -> None:
    """What a run stores when its program loaded but the lab refused it (wrong section)."""
    log = "processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1\n"

    rejection = verifier.analyse(log)

    assert rejection.kind.key == "no_log" and rejection.message == ""
