/* Reads relative to the network header with bpf_skb_load_bytes_relative(BPF_HDR_START_NET),
 * after skb->protocol says IPv4; the IPv4 header and the ICMP type come from there. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	struct iphdr ip;
	__u8 type;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET))
		return TC_ACT_OK;
	if (ip.protocol != IPPROTO_ICMP || ip.ihl < 5)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes_relative(skb, ip.ihl * 4, &type, 1, BPF_HDR_START_NET))
		return TC_ACT_OK;
	return type == 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
