/* expect-fail: dns-options-kept, options-look-like-53-dropped
 * Assumes a 20-byte IPv4 header: options move the UDP header. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	__u8 proto;
	struct udphdr udp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 9, &proto, 1) < 0 || proto != 17)
		return 0;
	if (bpf_skb_load_bytes(skb, 20, &udp, sizeof(udp)) < 0)
		return 0;
	return udp.dest == bpf_htons(53) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
