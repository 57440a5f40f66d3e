/* Swaps with bpf_xdp_load_bytes into one 12-byte buffer and a single bpf_xdp_store_bytes;
 * the 20-byte IPv4 header test also by bpf_xdp_load_bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	__u8 hdr[34];
	__u8 out[12];

	if (bpf_xdp_load_bytes(ctx, 0, hdr, sizeof(hdr)))
		return XDP_PASS;
	if (hdr[12] != 0x08 || hdr[13] != 0x00)
		return XDP_PASS;
	for (int i = 0; i < 6; i++) {
		out[i] = hdr[6 + i];
		out[6 + i] = hdr[i];
	}
	if (bpf_xdp_store_bytes(ctx, 0, out, sizeof(out)))
		return XDP_PASS;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
