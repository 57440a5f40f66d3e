/* bpf_trace_printk with an explicit format array (its size passed), SEC("xdp"). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int say_hello(struct xdp_md *ctx)
{
	char fmt[] = "Hello, eBPF!\n";

	bpf_trace_printk(fmt, sizeof(fmt));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
