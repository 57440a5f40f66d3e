// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
	/* TODO：XDP 程序的返回值就是它对这一帧的裁决。
	 * XDP_PASS 把帧交给内核的网络栈；哪个返回值会丢弃它？ */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
