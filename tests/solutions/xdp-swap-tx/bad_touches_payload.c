/* expect-fail: udp-swapped-and-sent, tcp-options-swapped-and-sent
 * Swaps the addresses but also flips the first byte after the 20-byte IPv4 header ("a marker"): every other
 * byte must stay unchanged. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)data;
	__u8 tmp[ETH_ALEN];

	if (data + 34 > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	if (data + 35 <= data_end)
		data[34] ^= 0xff;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
