/* Leaves a debugging bpf_printk in: nothing in the contract forbids printing here. Offsets
 * as constants off a byte pointer, IHL via a shift. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int drop9999(struct xdp_md *ctx)
{
	__u8 *p = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	__u32 hlen;
	__u8 *l4;

	if (p + 34 > end)
		return XDP_PASS;
	if (p[12] != 0x08 || p[13] != 0x00 || p[23] != 17)
		return XDP_PASS;
	hlen = (p[14] & 0x0f) << 2;
	if (hlen < 20)
		return XDP_PASS;
	l4 = p + 14 + hlen;
	if (l4 + 8 > end)
		return XDP_PASS;
	bpf_printk("udp dport %d", (l4[2] << 8) | l4[3]);
	if (l4[2] == 0x27 && l4[3] == 0x0f)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
