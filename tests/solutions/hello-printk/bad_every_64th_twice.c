/* expect-fail: generated-traffic
 * A global counter: every 64th packet prints the greeting twice. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 seen;

SEC("xdp")
int greet(struct xdp_md *ctx)
{
	__u64 n = __sync_fetch_and_add(&seen, 1);
	bpf_printk("Hello, eBPF!");
	if ((n & 63) == 63)
		bpf_printk("Hello, eBPF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
