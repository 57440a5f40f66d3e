// A correct program: writes the TOS directly, then recomputes the whole header checksum
// (options included) over a copy of the header taken with bpf_skb_load_bytes.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	__u32 len = ip->ihl * 4;
	if (len < sizeof(*ip))
		return TC_ACT_OK;
	ip->tos = (46 << 2) | (ip->tos & 3);
	ip->check = 0;

	__u16 words[30] = {};
	if (bpf_skb_load_bytes(skb, ETH_HLEN, words, len) < 0)
		return TC_ACT_OK;
	__u32 sum = 0;
#pragma unroll
	for (int i = 0; i < 30; i++)
		if (i < len / 2)
			sum += words[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	ip = data + ETH_HLEN;
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	ip->check = ~sum & 0xffff;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
