/* A length test on ctx, then bpf_xdp_load_bytes of the EtherType and the TTL byte. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ttl(struct xdp_md *ctx)
{
	__u8 type[2], ttl;

	if (ctx->data_end - ctx->data < 34)	/* Ethernet + minimal IPv4 header */
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 12, type, 2) || type[0] != 0x08 || type[1] != 0x00)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 22, &ttl, 1))
		return XDP_PASS;
	if (ttl <= 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
