/* New checksum from bpf_csum_diff over the old and new first 32-bit word, folded by hand,
 * written with direct packet access. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u16 fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	__u32 old = *(__u32 *)ip;
	__u8 tos = (46 << 2) | (ip->tos & 3);
	ip->tos = tos;
	__u32 new = *(__u32 *)ip;
	if (old == new)
		return TC_ACT_OK;
	__s64 d = bpf_csum_diff(&old, 4, &new, 4, (__u16)~ip->check);
	if (d < 0)
		return TC_ACT_OK;
	ip->check = fold(d);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
