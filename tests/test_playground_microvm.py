"""Free-form runs in the microVM, whose kernel has what the host's lacks: a kprobe and an
fexit program attached and triggered from the playground's starters for those hooks."""

from __future__ import annotations

import pytest

from labs import playground
from sandbox.backends import get_backend

pytestmark = pytest.mark.skipif(
    not get_backend("microvm").available()[0], reason="needs the microVM image"
)


@pytest.mark.parametrize(
    ("hook", "printed"), [("kprobe", "getdents64 from pid"), ("fexit", "getdents64 returned")]
)
def test_it_attaches_the_starter_for_a_hook_the_host_lacks_and_triggers_it(
    hook: str, printed: str
) -> None:
    source = playground.STARTERS[hook]
    outcome = playground.run(source, {"hook": hook}, backend="microvm")

    assert outcome.stage == "done", outcome.error or outcome.verifier_log
    assert any(printed in line for line in outcome.trace), outcome.trace
