/* Reads the first 4 bytes with bpf_skb_load_bytes, stores the TOS with bpf_skb_store_bytes
 * and fixes the checksum with bpf_l3_csum_replace on the 4-byte word. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	__u8 et[2];
	__u32 oldw, neww;
	__u8 last;
	if (bpf_skb_load_bytes(skb, 12, et, 2) || et[0] != 0x08 || et[1] != 0)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14 + 19, &last, 1))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14, &oldw, 4))
		return TC_ACT_OK;
	neww = oldw;
	__u8 *b = (__u8 *)&neww;
	b[1] = 0xb8 | (b[1] & 3);
	if (neww == oldw)
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, 15, &b[1], 1, 0);
	bpf_l3_csum_replace(skb, 14 + 10, oldw, neww, 4);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
