// A correct program: swaps the two addresses as three 16-bit words each.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u16 *w = data;

	if (data + 34 > data_end)
		return XDP_PASS;
	if (w[6] != 0x0008) /* EtherType 0x0800 as it reads on a little-endian CPU */
		return XDP_PASS;
	__u16 a = w[0], b = w[1], c = w[2];
	w[0] = w[3];
	w[1] = w[4];
	w[2] = w[5];
	w[3] = a;
	w[4] = b;
	w[5] = c;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
