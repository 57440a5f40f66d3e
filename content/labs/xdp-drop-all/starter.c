// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
	/* TODO: an XDP program's return value is its verdict on the frame.
	 * XDP_PASS hands it to the kernel's network stack; which one discards it? */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
