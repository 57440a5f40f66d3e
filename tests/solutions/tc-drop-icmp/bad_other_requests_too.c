/* expect-fail: generated-traffic
 * Also drops ICMP timestamp (13) and information (15) requests, the other "ping"s. */
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
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	__u8 *t = (void *)ip + ip->ihl * 4;
	if ((void *)(t + 1) > data_end)
		return TC_ACT_OK;
	return (*t == ICMP_ECHO || *t == ICMP_TIMESTAMP || *t == ICMP_INFO_REQUEST) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
