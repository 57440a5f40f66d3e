"""How the guest init's "agent exited" line reads: an agent that died is named with its
signal, so a failed run says what happened inside the VM (sandbox/vm/init)."""

from __future__ import annotations

from pathlib import Path

from sandbox.image import Image
from sandbox.vmboot import Machine


def machine() -> Machine:
    return Machine(Image(directory=Path("/nonexistent"), manifest={}))


def test_it_names_the_signal_that_killed_the_agent() -> None:
    vm = machine()

    assert vm.note_agent_exit(b"@@bpflab@@ agent exited 137")

    assert vm.agent_status == 137
    assert vm.agent_ending() == "the agent was killed by SIGKILL"


def test_it_gives_the_exit_status_of_an_agent_that_exited() -> None:
    vm = machine()

    vm.note_agent_exit(b"\x00noise@@bpflab@@ agent exited 1\r")

    assert vm.agent_ending() == "the agent exited with status 1"


def test_it_ignores_the_agents_own_lines() -> None:
    vm = machine()

    assert not vm.note_agent_exit(b'{"event":"done","ok":true}')
    assert vm.agent_status is None and vm.agent_ending() == ""
