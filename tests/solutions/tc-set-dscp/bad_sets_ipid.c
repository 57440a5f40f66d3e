/* expect-fail: udp-marked-ef, ecn-ce-kept, other-dscp-replaced, options-marked-ef, already-ef-unchanged, header-only-marked-ef
 * Marks EF but also zeroes the IPv4 identification (checksum kept valid): every other byte
 * must stay unchanged. */
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
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u16 old_w, new_w;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	old_w = *(__u16 *)iph;
	iph->tos = 0xb8 | (iph->tos & 3);
	new_w = *(__u16 *)iph;
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_w, new_w, 2);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	iph = data + ETH_HLEN;
	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	old_w = iph->id;
	iph->id = 0;
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_w, 0, 2);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
