// A correct program: bpf_skb_load_bytes instead of direct packet access.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int no_ping(struct __sk_buff *skb)
{
	__u16 proto;
	__u8 vihl, l4proto, type;

	if (bpf_skb_load_bytes(skb, 12, &proto, 2) < 0 || proto != bpf_htons(0x0800))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14, &vihl, 1) < 0)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14 + 9, &l4proto, 1) < 0 || l4proto != 1)
		return TC_ACT_OK;
	/* the whole 8-byte ICMP header must be there */
	__u8 icmp[8];
	if (bpf_skb_load_bytes(skb, 14 + (vihl & 0xf) * 4, icmp, sizeof(icmp)) < 0)
		return TC_ACT_OK;
	type = icmp[0];
	return type == 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
