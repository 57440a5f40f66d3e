/* expect-fail: ipv4-lookalike-ok
 * Checks the IPv4 protocol byte but never the EtherType (nor skb->protocol): a non-IPv4
 * frame whose bytes look like an ICMP echo request is dropped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int drop_echo_request(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct icmphdr *icmp;

	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)icmp + 1 > data_end)
		return TC_ACT_OK;
	return icmp->type == ICMP_ECHO ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
