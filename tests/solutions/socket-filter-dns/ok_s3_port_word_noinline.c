/* A correct socket-filter-dns that reads the first 32-bit word of the UDP header (source
 * and destination port) with bpf_skb_load_bytes in a static __noinline function, compares
 * the destination half in network byte order, requires the options to be present by
 * reading the last byte of the IPv4 header, and keeps with INT_MAX, which is more than any
 * packet's length. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __noinline int is_dns(struct __sk_buff *skb)
{
	__u8 vihl, proto, last;
	__u32 ports;
	int hlen;

	if (bpf_skb_load_bytes(skb, 0, &vihl, 1) < 0 || bpf_skb_load_bytes(skb, 9, &proto, 1) < 0)
		return 0;
	hlen = (vihl & 0xf) << 2;
	if (hlen < 20 || proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, hlen - 1, &last, 1) < 0)
		return 0;
	if (bpf_skb_load_bytes(skb, hlen, &ports, sizeof(ports)) < 0)
		return 0;
	/* bytes 2-3 of the UDP header: the second __be16 of the word */
	return ((__be16 *)&ports)[1] == bpf_htons(53);
}

SEC("socket")
int filter(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IP) && is_dns(skb))
		return 0x7fffffff;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
