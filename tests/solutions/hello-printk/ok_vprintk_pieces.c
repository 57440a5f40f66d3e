/* Four arguments: bpf_printk becomes bpf_trace_vprintk (helper 177), the greeting glued
 * from pieces. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("%s%s%s%s", "Hel", "lo, ", "eB", "PF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
