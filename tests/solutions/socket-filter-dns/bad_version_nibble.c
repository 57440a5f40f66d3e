/* expect-fail: not-ipv4-ethertype-dropped
 * Tests the version nibble instead of skb->protocol (the EtherType). */
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.version != 4)
		return 0;
	if (ip.protocol != 17 || ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return 0;
	return udp.dest == bpf_htons(53) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
