// SPDX-License-Identifier: GPL-2.0
/* expect-fail: generated-traffic
 * Looks at the first four options only (an unrolled loop instead of the iterator): the
 * fixed packets' Record Route is never further in than that; behind five NOPs it is. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rr_guard(struct xdp_md *ctx)
{
	__u8 head[34], opt[2];
	__u32 off, end;

	if (bpf_xdp_load_bytes(ctx, 0, head, sizeof(head)))
		return XDP_PASS;
	if (head[12] != 0x08 || head[13] != 0x00)
		return XDP_PASS;
	end = 14 + (head[14] & 0x0f) * 4;
	off = 34;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		if (off >= end || bpf_xdp_load_bytes(ctx, off, opt, 1))
			return XDP_PASS;
		if (opt[0] == 0)
			return XDP_PASS;
		if (opt[0] == 1) {
			off += 1;
			continue;
		}
		if (off + 2 > end || bpf_xdp_load_bytes(ctx, off, opt, 2) || opt[1] < 2)
			return XDP_PASS;
		if (opt[0] == 7) {
			__u8 last;

			if (off + opt[1] > end || bpf_xdp_load_bytes(ctx, off + opt[1] - 1, &last, 1))
				return XDP_PASS;
			return XDP_DROP;
		}
		off += opt[1];
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
