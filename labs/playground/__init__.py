"""Free-form runs: a program and its settings -> one sandbox Job -> events and an outcome.

No checks: the run shows what happened. The settings are data (stored on the Submission
and the Snippet), validated here and nowhere else:

    hook      xdp | tc | socket (test-run on packets) | tracepoint | kprobe | fexit (attach
              and run a trigger); the program's own SEC() decides where it attaches
    packets   [{"fields": {<layer spec, labs/packets.py>}} | {"hex": "<frame>"}]
    repeat    test runs per packet
    trigger   argv of a command on the sandbox's allow list (tracing hooks)
    seeds     [{"map", "key", "value"}] written before anything runs (hex, or an int:
              u32 key, u64 value)
    live      {"seconds": N, "rate": packets/s} or for tracing hooks {"seconds": N,
              "every_ms": M}: attach, then traffic or the trigger in a loop for N seconds,
              trace lines and map snapshots streamed every second (docs/protocol.md, `live`)

Events follow the grader's (docs/protocol.md, "Run events"): stage compiling, compile, the
disassembly, every sandbox event, a `packet` event after each test run (action name,
bytes in and out), then `verdict` (stage, no `passed`).
"""

from __future__ import annotations

from labs.playground.execute import run
from labs.playground.jobs import build_job
from labs.playground.outcome import Outcome, action_name, summary, summary_facts
from labs.playground.settings import (
    DEFAULT_PACKET,
    DEFAULT_TRIGGER,
    HOOKS,
    PACKET_HOOKS,
    STARTERS,
    TRACING_HOOKS,
    VM_ONLY_HOOKS,
    PlaygroundSettings,
    SettingsError,
    parse_settings,
    settings_for_lab,
    trigger_commands,
)

__all__ = [
    "DEFAULT_PACKET",
    "DEFAULT_TRIGGER",
    "HOOKS",
    "PACKET_HOOKS",
    "STARTERS",
    "TRACING_HOOKS",
    "VM_ONLY_HOOKS",
    "Outcome",
    "PlaygroundSettings",
    "SettingsError",
    "action_name",
    "build_job",
    "parse_settings",
    "run",
    "settings_for_lab",
    "summary",
    "summary_facts",
    "trigger_commands",
]
