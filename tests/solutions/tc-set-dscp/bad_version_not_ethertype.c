/* expect-fail: ipv4-lookalike-unchanged
 * Recognises IPv4 by the version nibble instead of the EtherType: a non-IPv4 frame whose
 * payload starts like an IPv4 header is rewritten. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int set_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *iph = data + ETH_HLEN;
	__u16 old_w, new_w;

	if ((void *)(iph + 1) > data_end || iph->version != 4)
		return TC_ACT_OK;
	old_w = *(__u16 *)iph;
	iph->tos = 0xb8 | (iph->tos & 3);
	new_w = *(__u16 *)iph;
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_w, new_w, 2);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
