// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BLOCKED_PORT 9999

SEC("xdp")
int drop_udp_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	/* TODO：这里只关心 UDP（ip->protocol）。
	 * TODO：UDP 头部从 IPv4 头部开始处往后 ip->ihl * 4 字节开始，
	 *       不一定是 20：IPv4 头部可能带有选项。
	 * TODO：读取 UDP 头部之前先检查它完整落在包内，再把它的
	 *       目的端口（网络字节序！）与 BLOCKED_PORT 比较。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
