/* expect-fail: dns-response-kept
 * Keeps only DNS queries: the QR bit of the DNS header (third payload byte, 0x80) must be 0. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	__u8 v, proto, flags;
	__u16 port;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &v, 1) || bpf_skb_load_bytes(skb, 9, &proto, 1))
		return 0;
	if (proto != IPPROTO_UDP)
		return 0;
	__u32 hl = (v & 0xf) * 4;
	if (bpf_skb_load_bytes(skb, hl + 2, &port, 2) || port != bpf_htons(53))
		return 0;
	if (bpf_skb_load_bytes(skb, hl + 8 + 2, &flags, 1) == 0 && (flags & 0x80))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
