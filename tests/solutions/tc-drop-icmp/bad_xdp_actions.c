/* expect-fail: echo-request-shot, echo-reply-ok, tcp-ok */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* XDP's verdicts mean something else at the TC hook: XDP_DROP (1) is
 * TC_ACT_RECLASSIFY, XDP_PASS (2) is TC_ACT_SHOT. */
SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	struct icmphdr *icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end)
		return XDP_PASS;
	return icmp->type == ICMP_ECHO ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
