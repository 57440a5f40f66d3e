// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* TODO：一个名为 jmp_table 的 BPF_MAP_TYPE_PROG_ARRAY，256 个槽位（键和值都是
 * 4 字节）。平台会把 handle_tcp 放进槽位 6，把 handle_udp 放进槽位 17。 */

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	/* TODO：解析以太网和 IPv4 头部（做好边界检查，包括选项），然后
	 * bpf_tail_call(ctx, &jmp_table, ip->protocol)。 */
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	/* TODO：重新解析（尾调用除了 ctx 什么都不保留），然后打印
	 * "tcp <destination port>" */
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	/* TODO：UDP 也一样："udp <destination port>" */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
