/* The print lives in a __noinline subprogram (a real BPF-to-BPF call, in .text), the
 * text passed as a %s argument. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __noinline int greet(void)
{
	bpf_printk("Hello, %s!", "eBPF");
	return 0;
}

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	greet();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
