/* Direct packet access, struct iphdr, RFC 1624 incremental update HC' = ~(~HC + ~m + m')
 * done by hand on 16-bit words; SEC("tc"). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

SEC("tc")
int dscp_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u16 old_m, new_m, hc;
	__u8 tos;

	if ((void *)(iph + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	tos = 0xb8 | (iph->tos & 0x3);
	old_m = bpf_ntohs(*(__be16 *)iph);
	iph->tos = tos;
	new_m = bpf_ntohs(*(__be16 *)iph);
	hc = bpf_ntohs(iph->check);
	hc = ~fold((__u32)(__u16)~hc + (__u16)~old_m + new_m);
	iph->check = bpf_htons(hc);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
