// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int print_fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	/* The verifier insists: prove the Ethernet header is inside the packet
	 * before reading any of it. */
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	/* TODO: the frame length is the distance from data to data_end. */
	long len = 0;

	/* TODO: h_proto is in network byte order; convert it before printing,
	 * and print it in lowercase hex with a 0x prefix. */
	bpf_printk("len=%ld proto=%d", len, eth->h_proto);

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
