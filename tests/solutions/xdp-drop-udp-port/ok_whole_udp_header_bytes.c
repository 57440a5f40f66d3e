/* Demands the whole 8-byte UDP header before reading the port (the contract leaves how
 * much must fit open), and compares the port as two bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int keep_out_9999(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	__u32 l4;

	if (p + 34 > end || p[12] != 0x08 || p[13] != 0x00 || p[23] != 17)
		return XDP_PASS;
	l4 = 14 + (p[14] & 0x0f) * 4;
	if (l4 > 14 + 60)
		return XDP_PASS;
	unsigned char *udp = p + l4;
	if (udp + 8 > end)
		return XDP_PASS;
	if (udp[2] == 0x27 && udp[3] == 0x0f)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
