"""A lab's checks -> one sandbox Job, plus its layout: which op decides which check."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from labs.spec import TRACING_TYPES, Check, LabSpec, Seed

LOAD_OP = "load"
# Verbose verifier log (level 1): the learner sees the instructions up to a rejection.
LOAD_LOG_LEVEL = 1


@dataclass
class JobLayout:
    """Which op decides which check, in the order the ops run."""

    ops: list[dict[str, Any]]
    check_ops: dict[str, str] = field(default_factory=dict)  # check name -> deciding op id
    trace_ops: dict[str, list[str]] = field(default_factory=dict)  # check -> ops whose trace counts
    seed_ops: list[str] = field(default_factory=list)
    runs_before: dict[str, int] = field(default_factory=dict)  # map check -> test runs before it
    # per-run values of trigger checks ({random}); {pid} is the trigger's, known at its event
    context: dict[str, str] = field(default_factory=dict)


def run_op_id(check: Check) -> str:
    return f"run:{check.name}"


def _packet_op(check: Check, program: str | None) -> dict[str, Any]:
    return {
        "op": "test_run",
        "id": run_op_id(check),
        "program": program,
        "data": check.frame.hex(),
        "repeat": check.repeat,
    }


def seed_op(seed: Seed, op_id: str) -> dict[str, Any]:
    """The op that puts a seed into its map (or, for a removed entry, takes it out)."""
    op: dict[str, Any] = {"op": "map_update", "id": op_id, "map": seed.map, "key": seed.key.hex()}
    if seed.delete:
        return {**op, "op": "map_delete"}
    if seed.program is not None:
        op["program"] = seed.program
    else:
        op["value"] = seed.value.hex()
    return {**op, "flags": 0}


def restored(lab: LabSpec, changed: Seed) -> Seed:
    """What undoes a check's own seed: the lab's seed of that entry, or its removal."""
    for seed in lab.seeds:
        if (seed.map, seed.key) == (changed.map, changed.key):
            return seed
    return Seed(map=changed.map, key=changed.key, value=b"", delete=True)


def _attach_op(lab: LabSpec) -> dict[str, Any]:
    """Where the trigger checks attach the program: the lab's own hook, never the one a
    wrong section names. The ops run even when the object is in the wrong section, and
    a program in, say, raw_tp/sys_enter that prints would print on every syscall,
    including the agent's own trace reads, until the wall limit kills the sandbox. So a
    tracepoint or kprobe is attached to the lab's target whatever the section says, and
    fentry/fexit programs (whose target the kernel fixed at load) only from the lab's
    sections."""
    op: dict[str, Any] = {"op": "attach", "id": "attach", "program": None, "target": None}
    if lab.program_type in ("tracepoint", "kprobe"):
        op["target"] = lab.section
    else:
        op["program"] = "*"
        op["sections"] = list(lab.sections)
    return op


class _Unknown(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"


def fill(text: str, context: dict[str, str]) -> str:
    """A trigger argument or expected line with the run's values in it; a value not
    known yet ({pid} before the trigger ran) shows as <pid>."""
    return text.format_map(_Unknown(context)) if "{" in text else text


def lay_out_job(lab: LabSpec) -> JobLayout:
    """The ordered ops: load, seeds, one test_run per packet check, then dumps, then triggers."""
    layout = JobLayout(ops=[{"op": "load", "id": LOAD_OP, "log_level": LOAD_LOG_LEVEL}])
    layout.context = {"random": secrets.token_hex(6)}
    # the name the triggers' processes run under: drawn per run, so a program cannot
    # tell the harness's own calls by a name it knows (the agent is "bpflab-agent")
    comm = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    for i, seed in enumerate(lab.seeds):
        op_id = f"seed:{i}"
        layout.seed_ops.append(op_id)
        layout.ops.append(seed_op(seed, op_id))
    runs = 0
    for check in lab.checks:
        if check.kind == "packet":
            for i, seed in enumerate(check.seeds):
                layout.ops.append(seed_op(seed, f"seed:{check.name}:{i}"))
            layout.ops.append(_packet_op(check, lab.test_program))
            for i, seed in enumerate(check.seeds):
                layout.ops.append(seed_op(restored(lab, seed), f"restore:{check.name}:{i}"))
            layout.check_ops[check.name] = run_op_id(check)
            layout.trace_ops[check.name] = [run_op_id(check)]
            runs += check.repeat
    for check in lab.checks:
        if check.kind == "map":
            op_id = f"dump:{check.name}"
            layout.ops.append({"op": "map_dump", "id": op_id, "map": check.map})
            layout.check_ops[check.name] = op_id
            layout.runs_before[check.name] = runs
    attached = False
    for check in lab.checks:
        if check.kind == "trigger" and lab.program_type in TRACING_TYPES:
            if not attached:
                layout.ops.append(_attach_op(lab))
                attached = True
            for i, argv in enumerate(check.before):
                before = [fill(arg, layout.context) for arg in argv]
                op_id = f"before:{check.name}:{i}"
                layout.ops.append(
                    {
                        "op": "trigger",
                        "id": op_id,
                        "argv": before,
                        "timeout_ms": 5000,
                        "comm": comm,
                    }
                )
            trigger_id, trace_id = f"trigger:{check.name}", f"trace:{check.name}"
            argv = [fill(arg, layout.context) for arg in check.argv]
            layout.ops.append(
                {"op": "trigger", "id": trigger_id, "argv": argv, "timeout_ms": 5000, "comm": comm}
            )
            layout.ops.append({"op": "trace", "id": trace_id, "wait_ms": 300})
            layout.check_ops[check.name] = trace_id
            layout.trace_ops[check.name] = [trigger_id, trace_id]
    return layout


def build_job(lab: LabSpec, object_bytes: bytes = b"") -> tuple[Any, JobLayout]:
    """The sandbox Job for a lab and an object file, and its layout."""
    from sandbox.job import Job  # the sandbox package has no Django; imported late

    layout = lay_out_job(lab)
    return Job(object=object_bytes, ops=layout.ops), layout
