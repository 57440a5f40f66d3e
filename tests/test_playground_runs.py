"""Free-form runs on the real kernel (local backend): what a program returns for each packet
and the bytes it leaves, what the verifier says, what a trigger makes a tracepoint print,
and what the maps hold, seeds included. No checks: nothing passes or fails."""

from __future__ import annotations

import pytest

from labs import playground
from labs.grading import words
from sandbox.backends.local import LocalBackend

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

HEADER = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
LICENSE = 'char LICENSE[] SEC("license") = "GPL";\n'

SWAP_MACS = (
    HEADER
    + """
SEC("xdp")
int swap(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (p + 14 > end)
        return XDP_PASS;
    for (int i = 0; i < 6; i++) { unsigned char t = p[i]; p[i] = p[i + 6]; p[i + 6] = t; }
    bpf_printk("swapped %d bytes", end - p);
    return XDP_TX;
}
"""
    + LICENSE
)

NO_BOUNDS_CHECK = (
    HEADER
    + """
SEC("xdp")
int peek(struct xdp_md *ctx)
{
    unsigned char *p = (void *)(long)ctx->data;
    return p[12] == 8 ? XDP_DROP : XDP_PASS;
}
"""
    + LICENSE
)

COUNT_BY_SEED = (
    HEADER
    + """
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2);
         __type(key, __u32); __type(value, __u64); } counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
    __u32 key = 1;
    __u64 *n = bpf_map_lookup_elem(&counts, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    bpf_printk("exec seen");
    return 0;
}
"""
    + LICENSE
)


def run(source: str, settings: dict) -> tuple[playground.Outcome, list[dict]]:
    events: list[dict] = []
    outcome = playground.run(source, settings, backend="local", on_event=events.append)
    return outcome, events


def test_it_shows_each_packets_action_and_the_bytes_the_program_changed() -> None:
    outcome, events = run(
        SWAP_MACS, {"hook": "xdp", "packets": [{"hex": "aa" * 6 + "bb" * 6 + "0800" + "00" * 20}]}
    )

    assert outcome.stage == "done" and outcome.loaded and outcome.error is None
    (packet,) = [e for e in events if e["event"] == "packet"]
    assert packet["action"] == "XDP_TX" and packet["retval"] == 3
    assert packet["data_out"].startswith("bb" * 6 + "aa" * 6) and packet["changed"] is True
    assert any("swapped 34 bytes" in line for line in outcome.trace)
    verdict = events[-1]
    assert verdict["event"] == "verdict" and verdict["kind"] == "playground"
    assert verdict["passed"] is None and verdict["stage"] == "done"
    assert verdict["facts"]["actions"] == ["XDP_TX"]
    kinds = [e["event"] for e in events]
    assert (
        kinds.index("compile")
        < kinds.index("load")
        < kinds.index("packet")
        < kinds.index("verdict")
    )
    assert "disassembly" in kinds


def test_it_stops_at_the_verifier_and_keeps_its_log() -> None:
    outcome, events = run(NO_BOUNDS_CHECK, {"hook": "xdp"})

    assert outcome.stage == "load" and not outcome.loaded
    assert "invalid access to packet" in outcome.verifier_log
    assert not [e for e in events if e["event"] == "packet"]
    assert "verifier rejected" in outcome.summary
    (load,) = [e for e in events if e["event"] == "load"]
    # the one verifier module's analysis, as a lab run's panel gets it: kind and line
    assert load["rejection"]["class"] == "pkt_access" and load["rejection"]["line"] == 8
    assert outcome.to_dict()["verifier"] == load["rejection"]


def test_it_reports_a_compile_error_with_its_line() -> None:
    outcome, _events = run(HEADER + "int broken( {\n", {"hook": "xdp"})

    assert outcome.stage == "compile" and outcome.diagnostics[0]["line"] == 3


def test_it_seeds_maps_attaches_a_tracepoint_and_runs_the_trigger() -> None:
    settings = {
        "hook": "tracepoint",
        "trigger": ["/bin/true"],
        "seeds": [{"map": "counts", "key": 1, "value": 40}],
    }
    outcome, _events = run(COUNT_BY_SEED, settings)

    assert outcome.stage == "done", outcome.error
    assert any(line.endswith("exec seen") for line in outcome.trace)
    entries = {e["key"]: e["value"] for e in outcome.maps["counts"]["entries"]}
    # 40 from the seed, then at least the trigger's exec (a shared kernel may add others')
    assert int.from_bytes(bytes.fromhex(entries["01000000"]), "little") >= 41


def test_it_names_a_socket_filters_verdict_by_the_bytes_it_keeps() -> None:
    keep_all = (
        HEADER + 'SEC("socket")\nint keep(struct __sk_buff *skb) { return skb->len; }\n' + LICENSE
    )
    outcome, _events = run(keep_all, {"hook": "socket"})

    assert outcome.stage == "done", outcome.error
    # a socket filter's skb starts at the network header: 58 - 14 bytes of Ethernet
    assert outcome.packets[0]["action"] == "keep 44 bytes"


def test_it_refuses_bad_settings_before_compiling() -> None:
    outcome, events = run(SWAP_MACS, {"hook": "nosuch"})

    assert outcome.stage == "compile" and "Unknown hook" in words.failure_words(outcome.error)
    assert [e["event"] for e in events] == ["verdict"]


@pytest.mark.parametrize("hook", ["xdp", "tc", "socket", "tracepoint"])
def test_it_runs_each_hooks_starter_as_it_is(hook: str) -> None:
    outcome, _events = run(playground.STARTERS[hook], {"hook": hook})

    assert outcome.stage == "done", outcome.error or outcome.verifier_log
    assert outcome.trace, "every starter prints"
