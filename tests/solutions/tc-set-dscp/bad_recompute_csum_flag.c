/* expect-fail: udp-marked-ef, generated-traffic
 * Stores the new TOS with BPF_F_RECOMPUTE_CSUM, believing it fixes the IPv4 header
 * checksum (it only updates skb->csum): the header checksum is left stale. */
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
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	__u8 tos = 0xb8 | (ip->tos & 3);
	bpf_skb_store_bytes(skb, ETH_HLEN + 1, &tos, 1, BPF_F_RECOMPUTE_CSUM);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
