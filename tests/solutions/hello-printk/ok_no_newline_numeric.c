/* bpf_printk without a newline, the action as its number (XDP_PASS == 2), GPL v2 license. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL v2";

SEC("xdp")
int hello(void *ctx)
{
	bpf_printk("Hello, eBPF!");
	return 2;
}
