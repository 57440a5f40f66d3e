// expect-fail: dns-large-kept
/* Wrong: "a DNS message fits in 512 bytes": keeps only the first 512 bytes of a packet, so a
 * large (EDNS) answer is cut instead of kept whole. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

SEC("socket")
int filter(struct __sk_buff *skb)
{
	struct iphdr ip;
	__be16 dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4 + 2, &dport, 2) || dport != bpf_htons(53))
		return 0;
	return 512;
}
