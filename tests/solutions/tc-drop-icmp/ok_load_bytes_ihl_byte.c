/* IHL and type read with bpf_skb_load_bytes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	__u8 b[24];
	if (bpf_skb_load_bytes(skb, 0, b, sizeof(b)))
		return TC_ACT_OK;
	if (b[12] != 0x08 || b[13] != 0x00 || b[23] != 1)
		return TC_ACT_OK;
	__u8 vihl, type;
	if (bpf_skb_load_bytes(skb, 14, &vihl, 1))
		return TC_ACT_OK;
	__u32 off = 14 + (vihl & 0xf) * 4;
	if (bpf_skb_load_bytes(skb, 14 + 19, &type, 1))  /* the whole 20-byte header */
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, off, &type, 1))
		return TC_ACT_OK;
	return type == 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
