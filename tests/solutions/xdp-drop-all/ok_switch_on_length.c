/* Every branch of a switch on the frame's length drops: odd, but correct. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int verdict_for(__u32 len)
{
	switch (len) {
	case 0 ... 63:
		return XDP_DROP;
	case 64 ... 1500:
		return XDP_DROP;
	default:
		return 1; /* XDP_DROP, spelt as a number */
	}
}

SEC("xdp")
int drop_everything(struct xdp_md *ctx)
{
	return verdict_for(ctx->data_end - ctx->data);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
