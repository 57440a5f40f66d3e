/* "Dual BSD/GPL": a GPL-compatible license string the kernel accepts for bpf_printk. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF!\n");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
