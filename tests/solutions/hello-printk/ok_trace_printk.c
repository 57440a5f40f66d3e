// A correct program: bpf_trace_printk with its own format buffer and a trailing newline.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say_hello(struct xdp_md *ctx)
{
	const char fmt[] = "Hello, eBPF!\n";

	bpf_trace_printk(fmt, sizeof(fmt));
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
