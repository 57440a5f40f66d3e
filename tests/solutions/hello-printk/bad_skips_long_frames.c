/* expect-fail: generated-traffic
 * Greets every frame of at most 1000 bytes (all the fixed ones) and no longer one. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	if (ctx->data_end - ctx->data <= 1000)
		bpf_printk("Hello, eBPF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
