/* Direct packet access with struct casts, skb->protocol instead of the Ethernet field,
 * the ICMP header demanded in full (4 bytes, type code checksum). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/icmp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct icmp_start {
	__u8 type;
	__u8 code;
	__u16 checksum;
};

SEC("tc")
int drop_echo_request(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct icmp_start *icmp;
	__u32 hlen;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_ICMP)
		return TC_ACT_OK;
	hlen = ip->ihl * 4;
	if (hlen < sizeof(*ip))
		return TC_ACT_OK;
	icmp = (void *)ip + hlen;
	if ((void *)(icmp + 1) > data_end)
		return TC_ACT_OK;
	if (icmp->type == ICMP_ECHO)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
