/* Offsets computed from IHL; proves only the 4 bytes up to the destination port are
 * present (no struct udphdr), reading the port as two bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline int is_blocked(__u8 *p, __u8 *end)
{
	if (p + 14 + 20 > end)
		return 0;
	if (p[12] != 0x08 || p[13] != 0x00)
		return 0;
	__u8 *ip = p + 14;
	if (ip[9] != 17)
		return 0;
	__u32 hl = (ip[0] & 0x0f) * 4;
	if (hl < 20)
		return 0;
	__u8 *l4 = ip + hl;
	if (l4 + 4 > end)
		return 0;
	return l4[2] == 0x27 && l4[3] == 0x0f;
}

SEC("xdp")
int xdp_udp9999(struct xdp_md *ctx)
{
	return is_blocked((void *)(long)ctx->data, (void *)(long)ctx->data_end) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
