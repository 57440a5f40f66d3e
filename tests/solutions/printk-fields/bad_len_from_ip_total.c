/* expect-fail: generated-traffic
 * For IPv4 it reports 14 + the IPv4 total length instead of the frame length (wrong for padded or cut frames). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	int len = data_end - data;
	struct iphdr *ip = (void *)(eth + 1);
	if (eth->h_proto == bpf_htons(ETH_P_IP) && (void *)(ip + 1) <= data_end)
		len = ETH_HLEN + bpf_ntohs(ip->tot_len);
	bpf_printk("len=%d proto=0x%x", len, bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
