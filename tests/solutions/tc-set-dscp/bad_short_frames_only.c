/* expect-fail: generated-traffic
 * Marks IPv4 packets EF (checksum and ECN right), but only in frames of at most 256
 * bytes, which every fixed packet is. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define TOS_OFF (ETH_HLEN + 1)
#define CSUM_OFF (ETH_HLEN + 10)

SEC("tc")
int mark_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (skb->len > 256)
		return TC_ACT_OK;
	__u8 old = ip->tos;
	__u8 new = (46 << 2) | (old & 3);
	bpf_l3_csum_replace(skb, CSUM_OFF, bpf_htons(old), bpf_htons(new), 2);
	bpf_skb_store_bytes(skb, TOS_OFF, &new, 1, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
