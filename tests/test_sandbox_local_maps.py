"""The local backend seeds maps and dumps them: array, per-CPU array, hash, LPM trie."""

from __future__ import annotations

import struct

import pytest

from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job, RunLimits
from sandbox.packets_hex import udp_frame

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# Every packet bumps `seen[0]` and `per_cpu[0]`, and counts its source address in `by_src`
# when `blocklist` (an LPM trie of prefixes) matches it.
SOURCE = r"""
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct lpm_key { __u32 prefixlen; __u32 addr; };

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4);
         __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1);
         __type(key, __u32); __type(value, __u32); } per_cpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64);
         __type(key, __u32); __type(value, __u64); } by_src SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_LPM_TRIE); __uint(max_entries, 16);
         __uint(map_flags, BPF_F_NO_PREALLOC);
         __type(key, struct lpm_key); __type(value, __u32); } blocklist SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    __u32 zero = 0;
    __u64 *n = bpf_map_lookup_elem(&seen, &zero);
    __u32 *c = bpf_map_lookup_elem(&per_cpu, &zero);

    if (n) __sync_fetch_and_add(n, 1);
    if (c) *c += 1;
    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct lpm_key key = { .prefixlen = 32, .addr = ip->saddr };
    if (!bpf_map_lookup_elem(&blocklist, &key))
        return XDP_PASS;
    __u32 src = ip->saddr;
    __u64 one = 1, *hits = bpf_map_lookup_elem(&by_src, &src);
    if (hits) __sync_fetch_and_add(hits, 1);
    else bpf_map_update_elem(&by_src, &src, &one, BPF_ANY);
    return XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
"""


def lpm_key(prefixlen: int, addr: str) -> str:
    return (struct.pack("<I", prefixlen) + bytes(map(int, addr.split(".")))).hex()


def run_job(ops: list[dict], limits: RunLimits | None = None):  # type: ignore[no-untyped-def]
    compiled = compile_source(SOURCE)
    assert compiled.ok and compiled.object, compiled.output
    job = Job(
        object=compiled.object,
        ops=[{"op": "load", "id": "load"}, *ops],
        limits=limits or RunLimits(),
    )
    result = LocalBackend().run(job)
    assert result.ok, result.error
    return result


def test_it_seeds_maps_and_dumps_every_kind() -> None:
    blocked, allowed = udp_frame(53, src="203.0.113.7"), udp_frame(53, src="192.0.2.9")
    result = run_job(
        [
            {
                "op": "map_update",
                "id": "seed-array",
                "map": "seen",
                "key": "02000000",
                "value": struct.pack("<Q", 42).hex(),
            },
            {
                "op": "map_update",
                "id": "seed-lpm",
                "map": "blocklist",
                "key": lpm_key(24, "203.0.113.0"),
                "value": "01000000",
            },
            {"op": "test_run", "id": "blocked", "data": blocked.hex(), "repeat": 3},
            {"op": "test_run", "id": "allowed", "data": allowed.hex(), "repeat": 2},
            *(
                {"op": "map_dump", "id": name, "map": name}
                for name in ("seen", "per_cpu", "by_src", "blocklist")
            ),
        ]
    )
    assert result.by_id("seed-array")["ok"] and result.by_id("seed-lpm")["ok"]  # type: ignore[index]
    assert result.by_id("blocked")["retval"] == 1 and result.by_id("allowed")["retval"] == 2  # type: ignore[index]

    seen = result.by_id("seen")
    assert seen and seen["type"] == "array" and not seen["percpu"]
    values = {e["key"]: struct.unpack("<Q", bytes.fromhex(e["value"]))[0] for e in seen["entries"]}
    assert values == {"00000000": 5, "01000000": 0, "02000000": 42, "03000000": 0}

    per_cpu = result.by_id("per_cpu")
    assert per_cpu and per_cpu["type"] == "percpu_array" and per_cpu["percpu"]
    [entry] = per_cpu["entries"]
    assert len(entry["values"]) >= 1 and all(len(v) == 8 for v in entry["values"])
    assert sum(struct.unpack("<I", bytes.fromhex(v))[0] for v in entry["values"]) == 5

    by_src = result.by_id("by_src")
    assert by_src and by_src["type"] == "hash"
    assert [(e["key"], e["value"]) for e in by_src["entries"]] == [
        (bytes([203, 0, 113, 7]).hex(), struct.pack("<Q", 3).hex())
    ]

    trie = result.by_id("blocklist")
    assert trie and trie["type"] == "lpm_trie" and trie["key_size"] == 8
    assert trie["entries"] == [{"key": lpm_key(24, "203.0.113.0"), "value": "01000000"}]


def test_it_reports_map_errors_per_op() -> None:
    result = run_job(
        [
            {"op": "map_update", "id": "no-such", "map": "nope", "key": "00", "value": "00"},
            {"op": "map_update", "id": "short-key", "map": "seen", "key": "00", "value": "00" * 8},
            {"op": "map_dump", "id": "dump", "map": "seen"},
        ]
    )
    assert result.by_id("no-such") == {
        **result.by_id("no-such"),
        "ok": False,
        "error": "no map named 'nope'",
    }  # type: ignore[arg-type]
    assert "key_size is 4" in result.by_id("short-key")["error"]  # type: ignore[index]
    assert result.by_id("dump")["ok"]  # type: ignore[index]


def test_it_caps_a_dump_at_max_map_entries() -> None:
    result = run_job(
        [{"op": "map_dump", "id": "dump", "map": "seen"}], RunLimits(max_map_entries=2)
    )
    dump = result.by_id("dump")
    assert dump and dump["truncated"] and len(dump["entries"]) == 2
    assert [e for e in result.events if e["event"] == "truncated"] == [
        {
            "event": "truncated",
            "what": "map",
            "limit": 2,
            "map": "seen",
            "t": result.of_kind("truncated")[0]["t"],
        }
    ]
