/* expect-fail: dns-query-kept, dns-options-kept, dns-long-options-kept
 * Returns 28 (the IPv4 and UDP headers) instead of the whole packet: the socket gets a
 * truncated copy. */
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
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.protocol != 17 || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	return udp.dest == bpf_htons(53) ? 28 : 0;
}

char LICENSE[] SEC("license") = "GPL";
