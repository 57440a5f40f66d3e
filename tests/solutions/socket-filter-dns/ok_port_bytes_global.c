/* A stranger compares the port byte by byte against a const volatile global (set once in
 * .rodata), reads only the two bytes it needs, and keeps with 0xffffffff. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u16 dns_port = 53;

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u8 vihl, proto, port[2];
	__u32 off;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, 0, &vihl, 1) || bpf_skb_load_bytes(skb, 9, &proto, 1))
		return 0;
	if (proto != IPPROTO_UDP)
		return 0;
	off = (vihl & 0xf) * 4;
	if (off < 20)
		return 0;
	if (bpf_skb_load_bytes(skb, off + 2, port, 2))
		return 0;
	if (port[0] != (dns_port >> 8) || port[1] != (dns_port & 0xff))
		return 0;
	return 0xffffffff;
}
