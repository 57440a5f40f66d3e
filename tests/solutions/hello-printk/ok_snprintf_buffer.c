/* Builds the line with bpf_snprintf into a stack buffer, then prints it with "%s". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int greet(struct xdp_md *ctx)
{
	char out[16];
	__u64 args[1] = { 0 };
	long n = bpf_snprintf(out, sizeof(out), "Hello, eBPF!", args, 0);
	if (n < 0)
		return XDP_PASS;
	bpf_printk("%s", out);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
