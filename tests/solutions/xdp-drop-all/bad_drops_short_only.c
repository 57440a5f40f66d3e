/* expect-fail: generated-traffic
 * Every fixed packet of the lab is shorter than 64 bytes, so dropping only short frames
 * passed every fixed check; a 64-byte or longer frame shows it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_short(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data < 64)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
