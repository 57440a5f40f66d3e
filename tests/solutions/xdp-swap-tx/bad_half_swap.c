/* expect-fail: udp-swapped-and-sent, tcp-options-swapped-and-sent, minimal-ipv4-swapped-and-sent
 * Copies source over destination and then destination over source without a temporary:
 * both addresses end up the old source. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (data + 34 > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
