/* expect-fail: truncated-ipv4-passed
 * Bounds-checks only up to the TTL byte: a frame cut short inside the IPv4 header is not
 * an IPv4 packet, yet it is dropped. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int ttl(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)data;

	if (data + 23 > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return data[22] <= 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
