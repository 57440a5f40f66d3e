/* expect-fail: header-only-marked-ef
 * `>=` instead of `>` in the bounds check: an IPv4 packet that ends right after its
 * header is left unmarked. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int set_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u16 old_w, new_w;

	if ((void *)(iph + 1) >= data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	old_w = *(__u16 *)iph;
	iph->tos = 0xb8 | (iph->tos & 3);
	new_w = *(__u16 *)iph;
	bpf_l3_csum_replace(skb, ETH_HLEN + 10, old_w, new_w, 2);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
