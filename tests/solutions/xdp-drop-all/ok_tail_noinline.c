/* The verdict comes from a global (non-inlined) function reading the context. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int verdict(struct xdp_md *ctx)
{
	return ctx->data_end >= ctx->data ? XDP_DROP : XDP_DROP;
}

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	return verdict(ctx);
}

char LICENSE[] SEC("license") = "GPL";
