/* expect-fail: udp-marked-ef, ecn-ce-kept, other-dscp-replaced, options-marked-ef
 * Hands bpf_l3_csum_replace the old and new TOS as host-order numbers: the checksum is
 * adjusted as if the TOS were the high byte of its word, so it no longer verifies. */
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
	__u16 proto;

	if (bpf_skb_load_bytes(skb, 12, &proto, 2) || proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (skb->len < 34 || bpf_skb_load_bytes(skb, 15, &old_tos, 1))
		return TC_ACT_OK;
	new_tos = 0xb8 | (old_tos & 3);
	bpf_l3_csum_replace(skb, 24, old_tos, new_tos, 2);
	bpf_skb_store_bytes(skb, 15, &new_tos, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
