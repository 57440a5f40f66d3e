// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* This program is rejected by the verifier. Read its log: it names the
 * instruction that reads packet memory without proof that the memory is
 * inside the packet. */
SEC("xdp")
int drop_expiring(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	/* TODO: before each read, prove to the verifier that the header ends at
	 * or before data_end - and return XDP_PASS when it does not. */
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	if (ip->ttl <= 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
