/* expect-fail: ipv6-unchanged, arp-unchanged
 * Marks IPv4 correctly but drops everything else: the contract says TC_ACT_OK. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int set_ef(struct __sk_buff *skb)
{
	__u8 old_tos, new_tos;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_SHOT;
	if (skb->len < 34 || bpf_skb_load_bytes(skb, 15, &old_tos, 1))
		return TC_ACT_SHOT;
	new_tos = 0xb8 | (old_tos & 3);
	bpf_l3_csum_replace(skb, 24, bpf_htons(old_tos), bpf_htons(new_tos), 2);
	bpf_skb_store_bytes(skb, 15, &new_tos, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
