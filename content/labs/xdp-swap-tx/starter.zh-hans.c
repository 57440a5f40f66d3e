// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int swap_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	/* TODO：只有 IPv4 头部完整落在帧内的 IPv4 帧才会被弹回。 */

	/* TODO：交换 eth->h_source 和 eth->h_dest（各 ETH_ALEN 字节；用一个临时副本
	 * 加 __builtin_memcpy 就很好），然后用 XDP_TX 把帧送回去。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
