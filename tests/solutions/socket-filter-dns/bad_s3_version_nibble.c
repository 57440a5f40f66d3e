/* Wrong: decides "IPv4" from the version nibble of the first byte instead of
 * skb->protocol, so an IPv4-looking header behind another EtherType is kept. Breaks
 * "\"IPv4\" means `skb->protocol` is ETH_P_IP (the EtherType, as everywhere in this
 * contract)".
 * expect-fail: not-ipv4-ethertype-dropped */
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

	if (0)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	if (!(udp.dest == bpf_htons(53) && ip.version == 4))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
