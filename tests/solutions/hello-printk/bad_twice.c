/* expect-fail: udp-prints-hello, arp-prints-hello, three-packets-three-lines */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF!");
	bpf_printk("Hello, eBPF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
