/* A stranger's program: keeps with 0xffff (more than any of these packets), reads the
 * header length and the port with bpf_skb_load_bytes into a small byte array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP_BE 0x0008 /* 0x0800 as it sits in skb->protocol on a little-endian CPU */

SEC("socket")
int only_dns(struct __sk_buff *skb)
{
	__u8 head[10];
	__u8 port[2];

	if (skb->protocol != ETH_P_IP_BE)
		return 0;
	if (bpf_skb_load_bytes(skb, 0, head, sizeof(head)))
		return 0;
	if (head[9] != 17 || (head[0] & 0x0f) < 5)
		return 0;
	if (bpf_skb_load_bytes(skb, (head[0] & 0x0f) * 4 + 2, port, 2))
		return 0;
	if (port[0] != 0 || port[1] != 53)
		return 0;
	return 0xffff;
}

char LICENSE[] SEC("license") = "GPL";
