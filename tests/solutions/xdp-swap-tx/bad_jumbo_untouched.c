/* expect-fail: generated-traffic
 * Sends every IPv4 frame back, but swaps the addresses only of frames up to 1000 bytes
 * (all the fixed ones): a long frame goes back with its addresses as they were. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char tmp[ETH_ALEN];

	if ((void *)(eth + 1) + sizeof(struct iphdr) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (end - data <= 1000) {
		__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
