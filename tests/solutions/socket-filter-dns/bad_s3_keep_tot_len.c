/* Wrong: keeps a DNS packet by returning the IPv4 total length instead of the packet's
 * length. Equal for a frame without trailing bytes, but a padded frame (an Ethernet
 * minimum-size frame, or any bytes after the datagram) loses its tail. Breaks "keeping
 * means returning the packet's length or more (`skb->len`, or -1)".
 * expect-fail: dns-padded-kept */
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
	return bpf_ntohs(ip.tot_len);
}

char LICENSE[] SEC("license") = "GPL";
