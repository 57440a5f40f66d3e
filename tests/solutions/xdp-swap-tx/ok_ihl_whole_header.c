/* Reads the contract's "IPv4 header fits" literally: IHL*4 bytes must be in the frame.
 * Swaps with three 16-bit XOR swaps. */
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
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if ((void *)ip + ip->ihl * 4 > data_end)
		return XDP_PASS;
	__u16 *w = data;
#pragma unroll
	for (int i = 0; i < 3; i++) {
		w[i] ^= w[i + 3];
		w[i + 3] ^= w[i];
		w[i] ^= w[i + 3];
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
