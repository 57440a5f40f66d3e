/* Ends the text with a newline, as printf habits suggest: the empty line it makes in the
 * trace is forgiven (the lesson says so), so this passes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int greet(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF!\n");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
