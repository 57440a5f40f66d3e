/* bpf_skb_load_bytes / bpf_skb_store_bytes and bpf_l3_csum_replace on the 16-bit word that
 * holds version/IHL and TOS; SEC("classifier"). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IP_OFF 14
#define CSUM_OFF (IP_OFF + 10)

SEC("classifier")
int mark_ef(struct __sk_buff *skb)
{
	__u16 proto;
	__u8 word[2];	/* version/IHL, TOS */
	__u16 old_word, new_word;

	if (bpf_skb_load_bytes(skb, 12, &proto, 2) || proto != bpf_htons(0x0800))
		return TC_ACT_OK;
	if (skb->len < IP_OFF + 20)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, IP_OFF, word, 2))
		return TC_ACT_OK;
	__builtin_memcpy(&old_word, word, 2);
	word[1] = (46 << 2) | (word[1] & 0x03);
	__builtin_memcpy(&new_word, word, 2);
	if (old_word == new_word)
		return TC_ACT_OK;
	if (bpf_l3_csum_replace(skb, CSUM_OFF, old_word, new_word, 2))
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, IP_OFF + 1, &word[1], 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
