/* expect-fail: udp-marked-ef */
#include <stddef.h>
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
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__u8 old_tos = ip->tos, new_tos = 46 | (old_tos & 3); /* DSCP not shifted */
	__u16 old_word = bpf_htons((ip->version << 12) | (ip->ihl << 8) | old_tos);
	__u16 new_word = bpf_htons((ip->version << 12) | (ip->ihl << 8) | new_tos);
	bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_word, new_word, 2);
	bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, tos), &new_tos, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
