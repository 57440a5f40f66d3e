// A correct program: swaps the addresses byte by byte in an unrolled loop.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if (data + sizeof(struct ethhdr) + sizeof(struct iphdr) > data_end)
		return XDP_PASS;
	if (bpf_ntohs(eth->h_proto) != ETH_P_IP)
		return XDP_PASS;
#pragma unroll
	for (int i = 0; i < ETH_ALEN; i++) {
		unsigned char b = eth->h_dest[i];
		eth->h_dest[i] = eth->h_source[i];
		eth->h_source[i] = b;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
