// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VIP_ADDR 0xcb00710a /* 203.0.113.10，主机字节序 */
#define VIP_PORT 80

struct backend {
	__u32 addr; /* 网络字节序 */
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	/* TODO：
	 * 1. 解析以太网、IPv4（包括选项）和完整的 20 字节 TCP 头部；
	 *    除了发往 203.0.113.10 端口 80 的 TCP 包，其他一律原样返回 XDP_PASS；
	 * 2. 查找后端 ntohs(源端口) % 4；
	 * 3. 目的 MAC := 后端的 mac，源 MAC := 原来的目的 MAC，
	 *    目的地址 := 后端的 addr；
	 * 4. 保持 IPv4 和 TCP 校验和正确，并返回 XDP_TX。 */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
