/* expect-stage: load */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "MIT";
