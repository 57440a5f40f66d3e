// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* IPv4 源地址，网络字节序 */
	__type(value, __u64); /* 来自该地址的包数 */
} src_count SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
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

	__u32 src = ip->saddr;

	/* TODO：哈希映射里没有还没见过的地址的条目：
	 * 先查找 src；有条目就把它加 1，没有就用
	 * bpf_map_update_elem(&src_count, &src, &one, BPF_NOEXIST) 插入 1。
	 * 地址保持头部里的原样（不做字节序转换）。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
