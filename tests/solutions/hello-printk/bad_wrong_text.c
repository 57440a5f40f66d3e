/* expect-fail: udp-prints-hello, bare-frame-prints-hello */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
