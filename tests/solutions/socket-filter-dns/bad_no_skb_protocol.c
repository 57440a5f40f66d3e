// expect-fail: not-ipv4-ethertype-dropped
/* Wrong: never looks at skb->protocol; anything whose first bytes look like IPv4 UDP to 53
 * is kept. */
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

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) || ip.protocol != IPPROTO_UDP)
		return 0;
	if (ip.ihl < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4 + 2, &dport, 2) || dport != bpf_htons(53))
		return 0;
	return -1;
}
