/* expect-fail: generated-traffic
 * Stays silent for frames sent to a multicast MAC address (the I/G bit), as if they were noise. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int greet(struct xdp_md *ctx)
{
	unsigned char *d = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (d + 1 > end)
		return XDP_PASS;
	if ((d[0] & 1) && d[0] != 0xff)
		return XDP_PASS;
	bpf_printk("Hello, eBPF!");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
