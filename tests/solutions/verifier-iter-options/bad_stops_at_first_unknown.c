/* expect-fail: rr-after-timestamp-dropped, rr-after-router-alert-dropped
 * Knows only NOP, END and Record Route: any other option ends the walk, so Record Route
 * after a Router Alert or a Timestamp is missed. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_rr(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (p + 34 > end || p[12] != 0x08 || p[13] != 0x00)
		return XDP_PASS;
	__u32 hl = (p[14] & 0xf) * 4;
	if (hl < 20 || p + 14 + hl > end)
		return XDP_PASS;
	for (__u32 i = 20; i < 60; i++) {
		if (i >= hl)
			break;
		__u8 *o = p + 14 + i;
		if (o + 1 > end)
			break;
		if (*o == 1)
			continue;
		if (*o == 7)
			return XDP_DROP;
		break;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
