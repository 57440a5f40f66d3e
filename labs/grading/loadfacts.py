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
LIBBPF_LINE = re.compile(r"^libbpf: (.+)$")
# 7.3 follows the classic complaint with a long explained report; the matrix keeps the
# classic part, the same on every kernel, so that the differences stand out.
RICH_REPORT = "Verification failed:"


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


def libbpf_complaint(log: str) -> str:
    """libbpf's reason for not loading an object, e.g. "extern (func ksym)
    'bpf_iter_num_new': not found in kernel or module BTFs" on a kernel without it."""
    lines = [m.group(1) for m in map(LIBBPF_LINE.match, log.splitlines()) if m]
    return next((line for line in lines if not line.startswith("failed to load")), "")


def load_facts(stage: str, log: str) -> dict[str, Any]:
    """{loaded, complaint, where, insns, max_states, total_states, peak_states} of a verdict
    that got to `stage` with this verifier log."""
    from labs.grading.evaluate import verifier_complaint

    compiled = stage != "compile"
    loaded = compiled and stage != "load"
    complaint, where = "", ""
    if compiled and not loaded:
        complaint, where = verifier_complaint(log.split(RICH_REPORT, 1)[0])
        complaint = complaint or libbpf_complaint(log)
    return {"loaded": loaded, "complaint": complaint, "where": where, **verifier_stats(log)}
