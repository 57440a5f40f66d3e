/* Wrong: keeps UDP packets whose source or destination port is 53, i.e. DNS answers
 * too. Breaks "drops everything else: ... UDP from port 53 to another port".
 * expect-fail: dns-reply-dropped */
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
	if (!(udp.dest == bpf_htons(53) || udp.source == bpf_htons(53)))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
