/* expect-fail: udp-prints-hello, arp-prints-hello, three-packets-three-lines, bare-frame-prints-hello
 * A stray space before the newline: the line is "Hello, eBPF! ", not "Hello, eBPF!". */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int hello(struct xdp_md *ctx)
{
	bpf_printk("Hello, eBPF! \n");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
