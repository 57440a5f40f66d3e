/* A stranger copies the headers into stack structs with bpf_skb_load_bytes, checks every
 * return value, and keeps the packet by returning skb->len from a __noinline helper. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char _license[] SEC("license") = "Dual BSD/GPL";

static __noinline int is_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (!skb || skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	return udp.dest == bpf_htons(53);
}

SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	if (is_dns(skb))
		return skb->len;
	return 0;
}
