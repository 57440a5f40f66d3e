// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define DSCP_EF 46
#define IP_OFF ETH_HLEN

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

	__u8 old_tos = ip->tos;
	__u8 new_tos = (DSCP_EF << 2) | (old_tos & 0x03);
	if (new_tos == old_tos)
		return TC_ACT_OK;

	/* The TOS byte is the second byte of the header: the low-order byte of the
	 * first 16-bit word in network order (version/IHL, at offset 0, is the
	 * high-order one). The checksum helper wants that whole word, old and new. */
	__u16 old_word = bpf_htons((ip->version << 12) | (ip->ihl << 8) | old_tos);
	__u16 new_word = bpf_htons((ip->version << 12) | (ip->ihl << 8) | new_tos);

	bpf_l3_csum_replace(skb, IP_OFF + offsetof(struct iphdr, check), old_word, new_word, 2);
	bpf_skb_store_bytes(skb, IP_OFF + offsetof(struct iphdr, tos), &new_tos, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
