/* Looks at the frame length but drops on every branch. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	if (len < 60)
		return XDP_DROP;	/* runts too */
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
