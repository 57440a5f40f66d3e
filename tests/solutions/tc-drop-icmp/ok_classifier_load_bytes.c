/* SEC("classifier"), every field read with bpf_skb_load_bytes, IHL as (b & 0x0f) * 4. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("classifier")
int no_ping(struct __sk_buff *skb)
{
	__u16 ethertype;
	__u8 vihl, proto, type;

	if (bpf_skb_load_bytes(skb, 12, &ethertype, 2) < 0 || ethertype != bpf_htons(0x0800))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14, &vihl, 1) < 0 || (vihl & 0x0f) < 5)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14 + 9, &proto, 1) < 0 || proto != IPPROTO_ICMP)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, 14 + (vihl & 0x0f) * 4, &type, 1) < 0)
		return TC_ACT_OK;
	return type == 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
