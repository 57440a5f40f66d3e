/* expect-fail: generated-traffic
 * Keeps the frame length in a __u8: right for every fixed frame (all under 256 bytes),
 * wrong for a 300-byte one. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 len = end - data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	bpf_printk("len=%u proto=0x%x", len, bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
