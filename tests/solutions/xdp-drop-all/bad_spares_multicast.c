/* expect-fail: generated-traffic
 * Spares frames sent to a multicast (not broadcast) MAC address. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	unsigned char *d = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	if (d + 6 > end)
		return XDP_DROP;
	if ((d[0] & 1) && !(d[0] == 0xff && d[5] == 0xff))
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
