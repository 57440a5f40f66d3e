/* Pulls the headers into the linear area with bpf_skb_pull_data, then reads them directly;
 * skb->protocol instead of the Ethernet header for "IPv4". */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	bpf_skb_pull_data(skb, 0);
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	__u8 *type = (void *)ip + ip->ihl * 4;
	if ((void *)(type + 1) > data_end)
		return TC_ACT_OK;
	return *type == ICMP_ECHO ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
