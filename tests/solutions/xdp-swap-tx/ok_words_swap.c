/* Swaps the two MAC addresses as three 16-bit words each, and demands the whole IPv4
 * header, options included, before acting (how much must fit is left open). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int mirror(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u16 *w = data;
	unsigned char *b = data;

	if (data + 34 > end || b[12] != 0x08 || b[13] != 0x00)
		return XDP_PASS;
	if (data + 14 + (b[14] & 0x0f) * 4 > end)
		return XDP_PASS;
	for (int i = 0; i < 3; i++) {
		__u16 t = w[i];
		w[i] = w[i + 3];
		w[i + 3] = t;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
