/* expect-fail: not-ipv4-ethertype-dropped
 * Keeps DNS whatever skb->protocol says, as long as the first nibble reads 4. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	__u8 v, proto;
	__u16 port;
	if (bpf_skb_load_bytes(skb, 0, &v, 1) || (v >> 4) != 4)
		return 0;
	if (bpf_skb_load_bytes(skb, 9, &proto, 1) || proto != IPPROTO_UDP)
		return 0;
	__u32 hl = (v & 0xf) * 4;
	if (bpf_skb_load_bytes(skb, hl + 2, &port, 2) || port != bpf_htons(53))
		return 0;
	return -1;
}

char LICENSE[] SEC("license") = "GPL";
