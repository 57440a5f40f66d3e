/* Shoots echo requests only when the whole 8-byte ICMP header is there (how much of it
 * must fit is left open); reads the type with bpf_skb_load_bytes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("classifier")
int shoot_pings(struct __sk_buff *skb)
{
	__u8 head[34], type;
	__u32 l4;

	if (bpf_skb_load_bytes(skb, 0, head, sizeof(head)))
		return TC_ACT_OK;
	if (head[12] != 0x08 || head[13] != 0x00 || head[23] != 1)
		return TC_ACT_OK;
	l4 = 14 + (head[14] & 0x0f) * 4;
	if (l4 + 8 > skb->len)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, l4, &type, 1))
		return TC_ACT_OK;
	return type == 8 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
