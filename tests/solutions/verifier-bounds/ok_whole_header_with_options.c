/* Demands the whole IPv4 header, options included, before reading the TTL (how much
 * must fit is left open), with offsets and one byte read at a time. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (p + 34 > end)
		return XDP_PASS;
	if (((p[12] << 8) | p[13]) != 0x0800)
		return XDP_PASS;
	if (p + 14 + ((p[14] & 0x0f) << 2) > end)
		return XDP_PASS;
	return p[22] < 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
