// SPDX-License-Identifier: GPL-2.0
/* The microVM agent's warm-up (agent.c: warm_up, warm_up_job). Before the snapshot the
 * agent loads it once in its own process (libbpf's feature probes are then cached) and a
 * child of the agent serves a whole job with it (sandbox/image.py: warm_up_job): load,
 * test runs, a map dump. A pooled VM serves that job again after its restore, so its qemu
 * has translated the code a lab's job runs through. So it does what lab programs do: parse
 * a frame with bounds checks, count in an array, update a hash, print, in XDP and in tc.
 * Its job's child reads every line it prints: the trace holds none afterwards. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} warm_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u64);
} warm_ports SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *value = bpf_map_lookup_elem(&warm_count, &slot);

	if (value)
		__sync_fetch_and_add(value, 1);
}

static __always_inline void seen_port(__u16 port)
{
	__u64 one = 1, *value = bpf_map_lookup_elem(&warm_ports, &port);

	if (value)
		__sync_fetch_and_add(value, 1);
	else
		bpf_map_update_elem(&warm_ports, &port, &one, BPF_ANY);
}

/* 0: not IPv4, 1: UDP, 2: TCP, 3: other IPv4; the destination port in *port */
static __always_inline int classify(void *data, void *data_end, __u16 *port)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > data_end)
			return 3;
		*port = bpf_ntohs(udp->dest);
		return 1;
	}
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > data_end)
			return 3;
		*port = bpf_ntohs(tcp->dest);
		return 2;
	}
	return 3;
}

SEC("xdp")
int warm_xdp(struct xdp_md *ctx)
{
	__u16 port = 0;
	int kind = classify((void *)(long)ctx->data, (void *)(long)ctx->data_end, &port);

	count(kind);
	if (kind == 1 || kind == 2)
		seen_port(port);
	if (kind == 1) {
		bpf_printk("warm-up udp to %d", port);
		return XDP_DROP;
	}
	return XDP_PASS;
}

SEC("tc")
int warm_tc(struct __sk_buff *skb)
{
	__u16 port = 0;
	int kind = classify((void *)(long)skb->data, (void *)(long)skb->data_end, &port);

	count(kind);
	return kind == 2 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
