// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* A socket filter returns how many bytes of the packet the socket gets: 0 drops it,
 * skb->len (or more) keeps all of it. It sees the packet from its network header:
 * offset 0 is the first byte of the IPv4 header; the Ethernet header is gone. */
SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	/* skb->protocol is the EtherType the driver read, in network order */
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	/* the packet bytes are read through a helper that checks the length for us */
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	if (udp.dest != bpf_htons(53))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
