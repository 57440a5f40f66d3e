// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Return the number of bytes to keep: 0 drops the packet, skb->len keeps it whole. */
SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	/* TODO: keep only IPv4 (skb->protocol) UDP packets to port 53. Offset 0 is the
	 * IPv4 header (not the Ethernet header); read bytes with bpf_skb_load_bytes(). */
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
