// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int swap_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	/* TODO: only IPv4 frames whose IPv4 header fits in the frame are bounced. */

	/* TODO: swap eth->h_source and eth->h_dest (ETH_ALEN bytes each; a temporary
	 * copy and __builtin_memcpy work well), then send the frame back with XDP_TX. */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
