/* expect-fail: generated-traffic
 * Tests the ICMP type with a bit mask (type & 8): requests (8) are shot and replies (0)
 * and unreachables (3) are not, as the fixed packets want, but so is time-exceeded (11). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	struct icmphdr *icmp = (void *)ip + ip->ihl * 4;
	if ((void *)icmp + 1 > end)
		return TC_ACT_OK;
	return icmp->type & 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
