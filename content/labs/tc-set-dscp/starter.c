// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DSCP_EF 46

SEC("tc")
int set_dscp(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;

	/* TODO: the TOS byte holds DSCP in its upper 6 bits and ECN in its lower 2.
	 *       Compute the new TOS: DSCP_EF shifted into place, ECN bits kept.
	 * TODO: the IPv4 header checksum covers the TOS byte: update it, for example
	 *       with bpf_l3_csum_replace() on the 16-bit word that holds the TOS
	 *       (offsetof(struct iphdr, check) tells where the checksum is), or
	 *       recompute it. Then write the new TOS (bpf_skb_store_bytes()). */

	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
