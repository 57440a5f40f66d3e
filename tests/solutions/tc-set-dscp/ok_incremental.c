// A correct program: the RFC 1624 incremental update by hand, direct packet access.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	if (data + ETH_HLEN + sizeof(struct iphdr) > data_end)
		return TC_ACT_OK;
	if (((struct ethhdr *)data)->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 *first = (void *)ip;
	__u16 old = *first;
	ip->tos = 0xb8 | (ip->tos & 0x03);
	__u16 new = *first;
	/* HC' = ~(~HC + ~m + m') */
	__u32 sum = (__u16)~ip->check + (__u16)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
