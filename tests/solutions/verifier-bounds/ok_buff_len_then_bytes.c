/* Frame length from bpf_xdp_get_buff_len; EtherType and TTL copied with bpf_xdp_load_bytes
 * into one 16-bit and one 8-bit variable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	__be16 type;
	__u8 ttl;
	if (bpf_xdp_get_buff_len(ctx) < 14 + 20)
		return XDP_PASS;
	bpf_xdp_load_bytes(ctx, 12, &type, sizeof(type));
	if (type != bpf_htons(0x0800))
		return XDP_PASS;
	bpf_xdp_load_bytes(ctx, 14 + 8, &ttl, 1);
	return ttl <= 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
