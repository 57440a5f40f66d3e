/* Wrong: keeps a DNS packet by returning 1500, "the MTU", a constant that happens to be
 * at least the length of every frame of at most 1514 bytes. A larger packet (jumbo
 * frames, loopback's 64 KiB MTU, GRO) is cut. Breaks "keeps whole IPv4 UDP packets" /
 * "keeping means returning the packet's length or more (`skb->len`, or -1)".
 * expect-fail: dns-jumbo-kept */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	if (!(udp.dest == bpf_htons(53)))
		return 0;
	return 1500;
}

char LICENSE[] SEC("license") = "GPL";
