/* expect-fail: ipv6-unchanged */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return TC_ACT_OK;
		/* traffic class = 0xb8: this lab leaves IPv6 alone */
		ip6->priority = 0xb;
		ip6->flow_lbl[0] = (ip6->flow_lbl[0] & 0x0f) | 0x80;
		return TC_ACT_OK;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	__u16 *first = (void *)ip;
	__u16 old = *first;
	ip->tos = 0xb8 | (ip->tos & 0x03);
	__u32 sum = (__u16)~ip->check + (__u16)~old + *first;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
