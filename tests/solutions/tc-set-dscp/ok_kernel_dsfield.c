/* The checksum adjusted the way the kernel's ipv4_change_dsfield() does it (add the old
 * TOS, subtract the new one, end-around carries), header read with bpf_skb_load_bytes and
 * written back with bpf_skb_store_bytes. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int ef(struct __sk_buff *skb)
{
	struct iphdr iph;
	__u32 check;
	__u8 dsfield;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &iph, sizeof(iph)))
		return TC_ACT_OK;
	dsfield = (iph.tos & 0x03) | 0xb8;
	check = bpf_ntohs(iph.check);
	check += iph.tos;
	if ((check + 1) >> 16)
		check = (check + 1) & 0xffff;
	check -= dsfield;
	check += check >> 16;
	iph.check = bpf_htons((__u16)check);
	iph.tos = dsfield;
	bpf_skb_store_bytes(skb, ETH_HLEN, &iph, sizeof(iph), 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
