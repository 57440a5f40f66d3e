/* bpf_xdp_load_bytes the 12 address bytes, bpf_xdp_store_bytes them back swapped. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int swap(struct xdp_md *ctx)
{
	__u8 macs[12], swapped[12];
	__u16 type;
	int i;

	if (ctx->data_end - ctx->data < 14 + 20)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 12, &type, 2) || type != bpf_htons(0x0800))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 0, macs, sizeof(macs)))
		return XDP_PASS;
	for (i = 0; i < 6; i++) {
		swapped[i] = macs[i + 6];
		swapped[i + 6] = macs[i];
	}
	if (bpf_xdp_store_bytes(ctx, 0, swapped, sizeof(swapped)))
		return XDP_PASS;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
