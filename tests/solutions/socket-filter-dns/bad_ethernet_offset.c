/* expect-fail: dns-query-kept, dns-options-kept, dns-long-options-kept
 * Reads the IPv4 header at offset 14 as if the Ethernet header were there: a socket
 * filter sees the packet from the network header. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0 || ip.protocol != 17)
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	return udp.dest == bpf_htons(53) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
