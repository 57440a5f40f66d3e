"""The local backend runs an XDP program on packets: actions and output bytes."""

from __future__ import annotations

import subprocess

import pytest

from sandbox import build
from sandbox.backends.local import LocalBackend
from sandbox.compile import compile_source
from sandbox.job import Job
from sandbox.packets_hex import arp_frame, tcp_frame, udp_frame
from sandbox.wire import encode_job

pytestmark = pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root")

# UDP to 9999: dropped. TCP: bounced back with the MAC addresses swapped. Others: pass.
SOURCE = r"""
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int classify(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    struct iphdr *ip = (void *)(eth + 1);
    struct udphdr *udp = (void *)(ip + 1);
    unsigned char mac[ETH_ALEN];

    if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    if (ip->protocol == IPPROTO_TCP) {
        __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
        __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
        __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
        return XDP_TX;
    }
    if ((void *)(udp + 1) <= end && ip->protocol == IPPROTO_UDP && udp->dest == bpf_htons(9999))
        return XDP_DROP;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""
XDP_DROP, XDP_PASS, XDP_TX = 1, 2, 3


def compiled(source: str) -> bytes:
    result = compile_source(source)
    assert result.ok and result.object, result.output
    return result.object


def test_it_reports_each_packets_action_and_output_bytes() -> None:
    frames = {
        "udp-9999": udp_frame(9999),
        "udp-53": udp_frame(53),
        "tcp": tcp_frame(80),
        "arp": arp_frame(),
    }
    ops = [{"op": "load", "id": "load"}]
    ops += [{"op": "test_run", "id": name, "data": frame.hex()} for name, frame in frames.items()]
    seen: list[dict] = []

    result = LocalBackend().run(Job(object=compiled(SOURCE), ops=ops), on_event=seen.append)

    assert result.ok, result.error
    assert seen == result.events and seen[-1]["event"] == "done"
    assert all(isinstance(event["t"], float) for event in seen)
    load = result.by_id("load")
    assert (
        load
        and load["ok"]
        and load["programs"] == [{"name": "classify", "section": "xdp", "type": "xdp"}]
    )
    actions = {name: result.by_id(name)["retval"] for name in frames}  # type: ignore[index]
    assert actions == {"udp-9999": XDP_DROP, "udp-53": XDP_PASS, "tcp": XDP_TX, "arp": XDP_PASS}
    tcp = frames["tcp"]
    bounced = bytes.fromhex(result.by_id("tcp")["data_out"])  # type: ignore[index]
    assert bounced == tcp[6:12] + tcp[0:6] + tcp[12:]
    assert bytes.fromhex(result.by_id("arp")["data_out"]) == frames["arp"]  # type: ignore[index]


def test_it_refuses_a_test_run_over_the_repeat_limit_in_the_agent() -> None:
    """The host validates jobs; the agent must refuse on its own too."""
    job = Job(
        object=compiled(SOURCE),
        ops=[
            {"op": "load", "id": "load"},
            {"op": "test_run", "id": "many", "data": udp_frame(1).hex(), "repeat": 5},
        ],
    )
    wire = encode_job(job).replace(b"max_repeat=1000", b"max_repeat=4")

    out = subprocess.run(
        [str(build.agent_binary()), "--netns"],
        input=wire,
        capture_output=True,
        timeout=20,
        check=False,
    ).stdout.decode()
    assert '"id":"many","ok":false,"error":"repeat must be between 1 and 4"' in out
    assert out.rstrip().endswith('{"event":"done","ok":true,"trace_fenced":true}')
