"""What the kernels matrix compares about a load: did it load, the verifier's complaint and
its source line, and the verifier's instruction and state counts."""

from __future__ import annotations

import re
from typing import Any

# The verifier's last line, e.g. "processed 23 insns (limit 1000000) max_states_per_insn 0
# total_states 1 peak_states 1 mark_read 0" (one per program of an object).
VERIFIER_STATS = re.compile(
    r"processed (?P<insns>\d+) insns \(limit \d+\) max_states_per_insn (?P<max_states>\d+) "
    r"total_states (?P<total_states>\d+) peak_states (?P<peak_states>\d+)"
)
STAT_KEYS = ("insns", "max_states", "total_states", "peak_states")


def verifier_stats(log: str) -> dict[str, int | None]:
    """The verifier's counts, summed over the object's programs (max_states: the largest);
    None when the log holds no such line (the verifier never ran)."""
    found = [match.groupdict() for match in VERIFIER_STATS.finditer(log)]
    if not found:
        return dict.fromkeys(STAT_KEYS)
    totals: dict[str, int | None] = {
        key: sum(int(entry[key]) for entry in found) for key in STAT_KEYS
    }
    totals["max_states"] = max(int(entry["max_states"]) for entry in found)
    return totals


def load_facts(stage: str, log: str, rejection: dict[str, Any] | None) -> dict[str, Any]:
    """{loaded, complaint, line, insns, max_states, total_states, peak_states} of a verdict
    that got to `stage`; `rejection` is labs.verifier's analysis of a failed load."""
    compiled = stage != "compile"
    loaded = compiled and stage != "load"
    complaint, line = "", None
    if compiled and not loaded and rejection:
        complaint, line = rejection.get("message") or "", rejection.get("line")
    return {"loaded": loaded, "complaint": complaint, "line": line, **verifier_stats(log)}
