// A correct program: the print lives in an inline helper, the action is a literal 2.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline void greet(void)
{
	bpf_printk("Hello, eBPF!\n");
}

SEC("xdp")
int prog(struct xdp_md *ctx)
{
	greet();
	return 2; /* XDP_PASS */
}

char LICENSE[] SEC("license") = "GPL";
