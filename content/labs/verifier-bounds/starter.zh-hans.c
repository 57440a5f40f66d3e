// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* 这个程序会被验证器拒绝。读一读验证器日志：它会指出是哪条指令
 * 在没有证明内存位于包内的情况下读取了包内存。 */
SEC("xdp")
int drop_expiring(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	/* TODO：每次读取之前，向验证器证明头部在 data_end 或之前结束——
	 * 如果不是，就返回 XDP_PASS。 */
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	if (ip->ttl <= 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
