// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BLOCKED_PORT 9999

SEC("xdp")
int drop_udp_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	/* TODO: only UDP matters here (ip->protocol).
	 * TODO: the UDP header starts ip->ihl * 4 bytes after the IPv4 header's start,
	 *       not always 20: IPv4 headers may carry options.
	 * TODO: check the UDP header fits before reading it, then compare its
	 *       destination port (network byte order!) with BLOCKED_PORT. */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
