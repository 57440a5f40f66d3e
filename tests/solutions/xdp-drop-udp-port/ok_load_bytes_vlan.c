/* Offsets read with bpf_xdp_load_bytes, one 802.1Q tag skipped, IHL as (b & 0xf) << 2. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int udp9999(struct xdp_md *ctx)
{
	__u16 type;
	__u32 l3 = 14;
	__u8 vihl, proto;
	__u16 dport;

	if (bpf_xdp_load_bytes(ctx, 12, &type, 2))
		return XDP_PASS;
	if (type == bpf_htons(ETH_P_8021Q)) {
		if (bpf_xdp_load_bytes(ctx, 16, &type, 2))
			return XDP_PASS;
		l3 = 18;
	}
	if (type != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, l3, &vihl, 1) || bpf_xdp_load_bytes(ctx, l3 + 9, &proto, 1))
		return XDP_PASS;
	if ((vihl & 0xf) < 5 || proto != IPPROTO_UDP)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, l3 + ((vihl & 0xf) << 2) + 2, &dport, 2))
		return XDP_PASS;
	return dport == bpf_htons(9999) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
